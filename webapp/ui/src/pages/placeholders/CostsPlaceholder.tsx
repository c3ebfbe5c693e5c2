import { ComingSoon } from "../ComingSoon";

export default function CostsPlaceholder() {
  return <ComingSoon title="Costs" what="Spend by model, user, feature and team; token usage; forecast; budgets; savings; unpriced models." />;
}
