import { ComingSoon } from "../ComingSoon";

export default function RcaPlaceholder() {
  return <ComingSoon title="Root cause" what="Root-cause analysis reports." />;
}
