// A number input that commits on Enter or when it loses focus (not on every keystroke), and
// follows the value from outside while it is not being typed in.
import { useEffect, useRef, useState } from "preact/hooks";

interface Props {
  value: number | null | undefined;
  onCommit: (value: number) => void;
  min?: number;
  max?: number;
  step?: number;
  unit?: string;
  disabled?: boolean;
  testid?: string;
  label: string;
  title?: string;
  list?: string;
}

export function NumberField({ value, onCommit, min, max, step = 1, unit, disabled, testid, label, title, list }: Props) {
  const shown = value == null ? "" : String(Math.round(value * 1000) / 1000);
  const [text, setText] = useState(shown);
  // What is wrong with what was typed, said next to the field (it used to snap back silently).
  const [problem, setProblem] = useState("");
  const editing = useRef(false);
  const cancelled = useRef(false);
  const range = min != null && max != null ? `from ${min} to ${max}${unit ? ` ${unit}` : ""}` : min != null ? `of at least ${min}${unit ? ` ${unit}` : ""}` : max != null ? `of at most ${max}${unit ? ` ${unit}` : ""}` : "";

  useEffect(() => {
    if (!editing.current) setText(shown);
  }, [shown]);

  const commit = () => {
    const number = Number(text);
    const wrong = text.trim() === "" || !Number.isFinite(number)
      ? `${label}: type a number${range ? ` ${range}` : ""}.`
      : (min != null && number < min) || (max != null && number > max) ? `${label}: ${range.replace(/^of /, "")}.` : "";
    if (wrong) {
      // Keep what was typed, so it can be corrected; Escape puts the current value back.
      setProblem(wrong);
      return;
    }
    editing.current = false;
    setProblem("");
    if (number !== value) onCommit(number);
  };
  const id = testid ? `${testid}-problem` : undefined;

  return (
    <span class={`num-field ${problem ? "num-invalid" : ""}`} title={title ?? (min != null && max != null ? `${min} – ${max}${unit ? ` ${unit}` : ""}` : undefined)}>
      <input
        type="number"
        inputMode="decimal"
        aria-label={label}
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? id : undefined}
        data-testid={testid}
        value={text}
        min={min}
        max={max}
        step={step}
        list={list}
        disabled={disabled}
        onFocus={() => (editing.current = true)}
        onInput={(e) => setText(e.currentTarget.value)}
        onBlur={() => (cancelled.current ? (cancelled.current = false) : commit())}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            commit();
            e.currentTarget.select();
            editing.current = true;
          } else if (e.key === "Escape") {
            e.stopPropagation();
            editing.current = false;
            cancelled.current = true; // the blur below must not check the text it is leaving
            setProblem("");
            setText(shown);
            e.currentTarget.blur();
          }
        }}
      />
      {unit && <span class="num-unit">{unit}</span>}
      {problem && <span class="num-problem" role="alert" id={id} data-testid={id}>{problem}</span>}
    </span>
  );
}
