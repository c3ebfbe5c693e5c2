import { ComingSoon } from "../pages/ComingSoon";

export default function ComparePage() {
  return <ComingSoon title="Compare traces" what="Two traces side by side with matched spans and their differences." />;
}
