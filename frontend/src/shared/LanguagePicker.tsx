// The one language picker (the console and the playground): a button per
// language, each named in its own language, the current one pressed. The
// sidebar has none: its language comes from the platform (the lang param).
import { t, type Lang } from "./i18n";
import "./picker.css";

/** Each language in its own words (the same in every catalogue, so not in one). */
const names: Record<Lang, string> = { zh: "中文", en: "English" };

export function LanguagePicker({ lang, onChange }: { lang: Lang; onChange: (next: Lang) => void }) {
  return (
    <div class="lang-picker" role="group" aria-label={t(lang, "language")} data-testid="lang-picker">
      {(["zh", "en"] as const).map((l) => (
        <button
          type="button"
          key={l}
          lang={l === "zh" ? "zh-CN" : "en"}
          data-testid={`lang-${l}`}
          aria-pressed={lang === l}
          onClick={() => {
            if (l !== lang) onChange(l);
          }}
        >
          {names[l]}
        </button>
      ))}
    </div>
  );
}
