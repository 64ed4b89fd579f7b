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
  const [invalid, setInvalid] = useState(false);
  const editing = useRef(false);

  useEffect(() => {
    if (!editing.current) setText(shown);
  }, [shown]);

  const commit = () => {
    editing.current = false;
    const number = Number(text);
    if (text.trim() === "" || !Number.isFinite(number) || (min != null && number < min) || (max != null && number > max)) {
      setInvalid(text !== shown);
      setText(shown);
      return;
    }
    setInvalid(false);
    if (number !== value) onCommit(number);
  };

  return (
    <span class={`num-field ${invalid ? "num-invalid" : ""}`} title={title ?? (min != null && max != null ? `${min} – ${max}${unit ? ` ${unit}` : ""}` : undefined)}>
      <input
        type="number"
        inputMode="decimal"
        aria-label={label}
        data-testid={testid}
        value={text}
        min={min}
        max={max}
        step={step}
        list={list}
        disabled={disabled}
        onFocus={() => (editing.current = true)}
        onInput={(e) => setText(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            commit();
            e.currentTarget.select();
            editing.current = true;
          } else if (e.key === "Escape") {
            e.stopPropagation();
            editing.current = false;
            setText(shown);
            e.currentTarget.blur();
          }
        }}
      />
      {unit && <span class="num-unit">{unit}</span>}
    </span>
  );
}
