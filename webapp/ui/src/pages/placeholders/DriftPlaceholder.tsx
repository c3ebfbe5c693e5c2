import { ComingSoon } from "../ComingSoon";

export default function DriftPlaceholder() {
  return <ComingSoon title="Drift" what="Monitored models, drift status and severity, feature distributions and the monitor form." />;
}
