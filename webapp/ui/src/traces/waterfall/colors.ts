// A stable colour per service (same service, same hue on every page); LLM spans get their own.
export function serviceHue(service: string): number {
  let h = 0;
  for (let i = 0; i < service.length; i++) h = (h * 31 + service.charCodeAt(i)) >>> 0;
  return h % 360;
}

export function barColor(service: string, isLlm: boolean, isError: boolean): string {
  if (isError) return "var(--err)";
  if (isLlm) return "var(--bar-llm)";
  return `hsl(${serviceHue(service)} 62% 52%)`;
}
