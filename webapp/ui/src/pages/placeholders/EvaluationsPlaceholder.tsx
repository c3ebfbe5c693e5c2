import { ComingSoon } from "../ComingSoon";

export default function EvaluationsPlaceholder() {
  return <ComingSoon title="Evaluations" what="Online evaluation scores for quality and safety." />;
}
