import { ComingSoon } from "../ComingSoon";

export default function AlertsPlaceholder() {
  return <ComingSoon title="Alerts" what="Alert rules, silences and maintenance windows." />;
}
