// Light, dark or the system's choice. The palette lives in styles.css as light-dark() pairs, so
// the theme is only the root's color-scheme: no data-theme follows prefers-color-scheme, and a
// choice made here pins one ("light" / "dark"), kept in localStorage for every later visit.
import { useEffect, useState } from "preact/hooks";

export type ThemeChoice = "system" | "light" | "dark";

export const THEME_KEY = "previs-theme";
const CHOICES: { value: ThemeChoice; label: string }[] = [
  { value: "system", label: "Auto" },
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
];

export function readTheme(stored: string | null): ThemeChoice {
  return stored === "light" || stored === "dark" ? stored : "system";
}

function storedTheme(): ThemeChoice {
  try {
    return readTheme(localStorage.getItem(THEME_KEY));
  } catch {
    return "system"; // storage refused (private mode, policy): follow the system
  }
}

export function applyTheme(choice: ThemeChoice = storedTheme()): void {
  if (choice === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
}

export function ThemeSwitch() {
  const [choice, setChoice] = useState<ThemeChoice>(storedTheme);
  useEffect(() => {
    // Another tab changed it: follow, so two windows of the studio never disagree.
    const onStorage = (event: StorageEvent) => {
      if (event.key !== THEME_KEY) return;
      const next = readTheme(event.newValue);
      setChoice(next);
      applyTheme(next);
    };
    addEventListener("storage", onStorage);
    return () => removeEventListener("storage", onStorage);
  }, []);
  const choose = (next: ThemeChoice) => {
    setChoice(next);
    applyTheme(next);
    try {
      if (next === "system") localStorage.removeItem(THEME_KEY);
      else localStorage.setItem(THEME_KEY, next);
    } catch {
      // Not kept, but applied for this visit.
    }
  };
  return (
    <select class="theme-switch" value={choice} onChange={(e) => choose(e.currentTarget.value as ThemeChoice)}
      aria-label="Colour theme" title="Colour theme (Auto follows your system)" data-testid="theme-switch">
      {CHOICES.map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
    </select>
  );
}
