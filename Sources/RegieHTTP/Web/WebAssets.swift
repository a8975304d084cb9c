/// The workspace's style sheet, served by Regie itself (`/static/regie.css`): design tokens as custom properties in
/// the manner of the NL Design System, and plain CSS for its components. Colours meet WCAG 2.1 AA contrast.
enum WebAssets {
    static let css = """
        :root {
          --regie-color-primary: #154273;
          --regie-color-primary-hover: #0b2a4d;
          --regie-color-text: #1a1a1a;
          --regie-color-muted: #4a4a4a;
          --regie-color-background: #ffffff;
          --regie-color-surface: #f3f5f8;
          --regie-color-border: #6b7280;
          --regie-color-error: #b00020;
          --regie-color-error-surface: #fdecef;
          --regie-color-ok: #1e6b34;
          --regie-color-ok-surface: #e8f5ec;
          --regie-color-warning-surface: #fff4d6;
          --regie-color-info-surface: #e8f0fb;
          --regie-color-focus: #ffbf47;
          --regie-font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
          --regie-space: 1rem;
          --regie-radius: 4px;
        }
        * { box-sizing: border-box; }
        body { margin: 0; font-family: var(--regie-font-family); color: var(--regie-color-text);
          background: var(--regie-color-background); line-height: 1.5; font-size: 1.0625rem; }
        a { color: var(--regie-color-primary); }
        a:focus, button:focus, input:focus, select:focus, textarea:focus {
          outline: 3px solid var(--regie-color-focus); outline-offset: 2px; }
        .regie-skip { position: absolute; left: -10000px; }
        .regie-skip:focus { left: var(--regie-space); top: var(--regie-space); background: #fff; padding: .5rem; z-index: 10; }
        .regie-header { display: flex; justify-content: space-between; align-items: center; gap: var(--regie-space);
          padding: .75rem var(--regie-space); background: var(--regie-color-primary); color: #fff; flex-wrap: wrap; }
        .regie-logo { color: #fff; font-weight: 700; font-size: 1.25rem; text-decoration: none; }
        .regie-account { display: flex; align-items: center; gap: .75rem; }
        .regie-account form { margin: 0; }
        .regie-main { max-width: 48rem; margin: 0 auto; padding: var(--regie-space); }
        h1 { font-size: 1.75rem; margin: 1rem 0; }
        h2 { font-size: 1.25rem; }
        .utrecht-form-field { margin: 0 0 1.25rem; }
        .utrecht-form-label { display: block; font-weight: 700; margin-bottom: .25rem; }
        .utrecht-form-field-description { color: var(--regie-color-muted); margin: 0 0 .25rem; }
        .utrecht-form-field-error { color: var(--regie-color-error); font-weight: 700; margin: 0 0 .25rem; }
        .utrecht-form-field--invalid .utrecht-textbox { border-color: var(--regie-color-error); border-width: 2px; }
        .utrecht-textbox { font: inherit; width: 100%; max-width: 28rem; padding: .5rem; border: 1px solid var(--regie-color-border);
          border-radius: var(--regie-radius); }
        .utrecht-button { font: inherit; cursor: pointer; border-radius: var(--regie-radius); padding: .5rem 1rem;
          border: 2px solid var(--regie-color-primary); }
        .utrecht-button--primary { background: var(--regie-color-primary); color: #fff; }
        .utrecht-button--primary:hover { background: var(--regie-color-primary-hover); }
        .utrecht-button--subtle { background: #fff; color: var(--regie-color-primary); border-color: #fff; }
        .utrecht-alert { border-left: 6px solid var(--regie-color-border); padding: .75rem 1rem; margin: 0 0 1.25rem;
          background: var(--regie-color-info-surface); }
        .utrecht-alert p { margin: 0; }
        .utrecht-alert--error { border-color: var(--regie-color-error); background: var(--regie-color-error-surface); }
        .utrecht-alert--ok { border-color: var(--regie-color-ok); background: var(--regie-color-ok-surface); }
        .utrecht-alert--warning { border-color: #8a5a00; background: var(--regie-color-warning-surface); }
        .regie-qr svg { width: 14rem; height: auto; border: 1px solid var(--regie-color-border); }
        .regie-secret { font-family: ui-monospace, monospace; font-size: 1.125rem; letter-spacing: .1em;
          background: var(--regie-color-surface); padding: .25rem .5rem; word-break: break-all; }
        .regie-codes { columns: 2; font-family: ui-monospace, monospace; font-size: 1.125rem; }
        dl.regie-facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
        dl.regie-facts dt { font-weight: 700; }
        dl.regie-facts dd { margin: 0; }
        @media print { .regie-header form, .regie-skip { display: none; } }
        """
}
