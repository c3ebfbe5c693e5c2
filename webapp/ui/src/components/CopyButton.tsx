import { useState } from "react";
import { Icon } from "../app/icons";

/** Copies `text`; says so for a moment (also to screen readers). */
export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // insecure origins have no clipboard API: fall back to a selection copy
      const area = document.createElement("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <button type="button" className="btn btn-small" onClick={copy} aria-label={label}>
      <Icon name="copy" size={14} /> <span aria-live="polite">{copied ? "Copied" : "Copy"}</span>
    </button>
  );
}
