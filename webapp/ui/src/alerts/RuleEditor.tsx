// The rule editor: a form per rule type (threshold field by field, the others as validated JSON),
// channels from the project's channels, labels/annotations, evaluation interval and group timings,
// the server's 400s next to the field they name, and the metric's last day drawn with the threshold.
import { useEffect, useMemo, useState } from "react";
import { ErrorView } from "../components/ErrorView";
import { useChannels } from "../settings/api";
import { useSaveRule, usePreview, type Rule } from "./api";
import { FieldError, serverErrors } from "./common";
import { PreviewChart } from "./PreviewChart";
import {
  bodyFromForm, CONFIG_TEMPLATES, configOf, emptyForm, formFromRule, METRICS, OPERATORS, RULE_TYPES, SEVERITIES, SPAN_LABELS,
  type KeyValue, type RuleForm, type RuleType,
} from "./ruleForm";

export function RuleEditor({ project, rule, onDone }: { project: string; rule?: Rule; onDone: () => void }) {
  const save = useSaveRule(project);
  const channels = useChannels(project, true);
  const [form, setForm] = useState<RuleForm>(() => (rule ? formFromRule(rule) : emptyForm()));
  const [local, setLocal] = useState<Record<string, string>>({});
  const set = (part: Partial<RuleForm>) => setForm((f) => ({ ...f, ...part }));
  const errors = { ...serverErrors(save.error), ...local };
  const submit = () => {
    const { body, errors: found } = bodyFromForm(form);
    setLocal(found);
    if (Object.keys(found).length === 0) save.mutate({ id: rule?.id, body }, { onSuccess: onDone });
  };
  const changeType = (type: RuleType) => set({
    rule_type: type,
    configJson: type === "threshold" ? "" : JSON.stringify(CONFIG_TEMPLATES[type], null, 2),
  });
  return (
    <form className="form card" aria-label={rule ? `Edit rule ${rule.name}` : "New rule"} onSubmit={(e) => { e.preventDefault(); submit(); }}>
      <label>Name<input value={form.name} onChange={(e) => set({ name: e.target.value })} /><FieldError errors={errors} field="name" /></label>
      <label>Type<select value={form.rule_type} onChange={(e) => changeType(e.target.value as RuleType)}>
        {RULE_TYPES.map((t) => <option key={t}>{t}</option>)}</select><FieldError errors={errors} field="rule_type" /></label>
      <label>Severity<select value={form.severity} onChange={(e) => set({ severity: e.target.value })}>
        {SEVERITIES.map((s) => <option key={s}>{s}</option>)}</select><FieldError errors={errors} field="severity" /></label>
      <label style={{ flexDirection: "row", alignItems: "center" }}><input type="checkbox" checked={form.enabled} onChange={(e) => set({ enabled: e.target.checked })} /> Enabled</label>
      <label style={{ gridColumn: "1 / -1" }}>Description<input value={form.description} onChange={(e) => set({ description: e.target.value })} /></label>

      {form.rule_type === "threshold" ? <ThresholdFields form={form} set={set} /> : (
        <label style={{ gridColumn: "1 / -1" }}>Config (JSON)
          <textarea rows={7} className="mono" value={form.configJson} onChange={(e) => set({ configJson: e.target.value })} spellCheck={false} />
        </label>
      )}
      <div style={{ gridColumn: "1 / -1" }}><FieldError errors={errors} field="config" /></div>
      <div style={{ gridColumn: "1 / -1" }}><Preview project={project} form={form} /></div>

      <fieldset style={{ gridColumn: "1 / -1" }}>
        <legend>Notification channels</legend>
        {channels.isError ? <ErrorView error={channels.error} /> : (channels.data ?? []).length === 0
          ? <span className="muted small">No channels in this project (Settings → Notification channels).</span>
          : (channels.data ?? []).map((c) => (
            <label key={c.id} style={{ flexDirection: "row", alignItems: "center", display: "inline-flex", marginRight: 12 }}>
              <input type="checkbox" checked={form.channels.includes(c.id)}
                onChange={(e) => set({ channels: e.target.checked ? [...form.channels, c.id] : form.channels.filter((id) => id !== c.id) })} /> {c.name}
            </label>
          ))}
        <FieldError errors={errors} field="channels" />
      </fieldset>
      <Pairs title="Labels" rows={form.labels} onChange={(labels) => set({ labels })} />
      <Pairs title="Annotations" rows={form.annotations} onChange={(annotations) => set({ annotations })} />
      <div style={{ gridColumn: "1 / -1" }}><FieldError errors={errors} field="labels" /><FieldError errors={errors} field="annotations" /></div>
      <label>Evaluate every<input value={form.evaluation_interval} onChange={(e) => set({ evaluation_interval: e.target.value })} placeholder="1m" />
        <FieldError errors={errors} field="evaluation_interval" /></label>
      <label>Group by (labels)<input value={form.group_by} onChange={(e) => set({ group_by: e.target.value })} placeholder="model_id, service" />
        <FieldError errors={errors} field="group_by" /></label>
      <label>Group wait<input value={form.group_wait} onChange={(e) => set({ group_wait: e.target.value })} /><FieldError errors={errors} field="group_wait" /></label>
      <label>Group interval<input value={form.group_interval} onChange={(e) => set({ group_interval: e.target.value })} /><FieldError errors={errors} field="group_interval" /></label>
      <label>Repeat interval<input value={form.repeat_interval} onChange={(e) => set({ repeat_interval: e.target.value })} /><FieldError errors={errors} field="repeat_interval" /></label>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>{rule ? "Save rule" : "Create rule"}</button>
        <button type="button" className="btn" onClick={onDone}>Cancel</button>
      </div>
      {save.isError && Object.keys(serverErrors(save.error)).length === 0 && <div style={{ gridColumn: "1 / -1" }}><ErrorView error={save.error} /></div>}
    </form>
  );
}

function ThresholdFields({ form, set }: { form: RuleForm; set: (p: Partial<RuleForm>) => void }) {
  return (
    <>
      <label>Metric<select value={form.metric} onChange={(e) => set({ metric: e.target.value })}>{METRICS.map((m) => <option key={m}>{m}</option>)}</select></label>
      <label>Operator<select value={form.operator} onChange={(e) => set({ operator: e.target.value })}>{OPERATORS.map((o) => <option key={o}>{o}</option>)}</select></label>
      <label>Value<input inputMode="decimal" value={form.value} onChange={(e) => set({ value: e.target.value })} /></label>
      <label>Window<input value={form.window} onChange={(e) => set({ window: e.target.value })} placeholder="5m" /></label>
      <Pairs title="Filters" rows={form.filters} onChange={(filters) => set({ filters })} names={SPAN_LABELS} />
      <fieldset style={{ gridColumn: "1 / -1" }}>
        <legend>One series per (the config's group_by)</legend>
        {SPAN_LABELS.map((l) => (
          <label key={l} style={{ flexDirection: "row", alignItems: "center", display: "inline-flex", marginRight: 10 }}>
            <input type="checkbox" checked={form.configGroupBy.includes(l)}
              onChange={(e) => set({ configGroupBy: e.target.checked ? [...form.configGroupBy, l] : form.configGroupBy.filter((g) => g !== l) })} /> {l}
          </label>
        ))}
      </fieldset>
    </>
  );
}

function Pairs({ title, rows, onChange, names }: { title: string; rows: KeyValue[]; onChange: (rows: KeyValue[]) => void; names?: readonly string[] }) {
  const listId = names ? `names-${title}` : undefined;
  return (
    <fieldset style={{ gridColumn: "1 / -1" }}>
      <legend>{title}</legend>
      {names && <datalist id={listId}>{names.map((n) => <option key={n} value={n} />)}</datalist>}
      {rows.map((r, i) => (
        <div key={i} className="toolbar">
          <input aria-label={`${title} ${i + 1} name`} list={listId} value={r.key} onChange={(e) => onChange(rows.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)))} />
          <input aria-label={`${title} ${i + 1} value`} value={r.value} onChange={(e) => onChange(rows.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))} />
          <button type="button" className="btn btn-small" aria-label={`Remove ${title} ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>Remove</button>
        </div>
      ))}
      <button type="button" className="btn btn-small" onClick={() => onChange([...rows, { key: "", value: "" }])}>Add {title.toLowerCase()}</button>
    </fieldset>
  );
}

/** The preview follows the form, 400 ms after the last change to the config. */
function Preview({ project, form }: { project: string; form: RuleForm }) {
  const config = useMemo(() => {
    const errors: Record<string, string> = {};
    const c = configOf(form, errors);
    return errors.config ? null : c;
  }, [form]);
  const [settled, setSettled] = useState(config);
  useEffect(() => {
    const t = setTimeout(() => setSettled(config), 400);
    return () => clearTimeout(t);
  }, [JSON.stringify(config)]); // eslint-disable-line react-hooks/exhaustive-deps
  const preview = usePreview(project, form.rule_type, settled);
  if (form.rule_type === "composite") return <p className="muted small">A composite rule has no metric of its own to preview.</p>;
  return (
    <section aria-label="Preview of the last day">
      <h3 className="small">Last 24 hours</h3>
      {preview.isError ? <p className="form-error small" role="alert" data-testid="preview-error">{(preview.error as Error).message}</p>
        : preview.data ? <PreviewChart preview={preview.data} /> : <p className="muted small">Loading the preview…</p>}
    </section>
  );
}
