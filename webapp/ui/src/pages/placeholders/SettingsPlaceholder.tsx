import { ComingSoon } from "../ComingSoon";

export default function SettingsPlaceholder() {
  return <ComingSoon title="Settings" what="Projects, members and roles, API keys and notification channels." />;
}
