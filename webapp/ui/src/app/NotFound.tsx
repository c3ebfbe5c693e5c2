import { Link } from "react-router";

export default function NotFound() {
  return (
    <main className="center">
      <div className="empty">
        <p className="empty-title">No page here</p>
        <p className="muted"><Link to="/">Back to PyFlare</Link></p>
      </div>
    </main>
  );
}
