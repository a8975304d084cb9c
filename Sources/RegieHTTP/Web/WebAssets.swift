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
        .regie-main { max-width: 76rem; margin: 0 auto; padding: var(--regie-space); }
        .regie-main > p, .regie-main > form, .regie-main > .utrecht-alert, .regie-main > dl { max-width: 48rem; }
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
        .regie-nav { background: var(--regie-color-surface); border-bottom: 1px solid var(--regie-color-border); }
        .regie-nav ul { list-style: none; margin: 0 auto; padding: 0 var(--regie-space); display: flex; flex-wrap: wrap;
          gap: .25rem 1.5rem; max-width: 76rem; }
        .regie-nav a { display: inline-block; padding: .6rem 0; color: var(--regie-color-primary); font-weight: 600; }
        .regie-nav a[aria-current="page"] { color: var(--regie-color-text); text-decoration: none;
          border-bottom: 4px solid var(--regie-color-primary); }
        .regie-footer { max-width: 76rem; margin: 2rem auto 0; padding: var(--regie-space);
          border-top: 1px solid var(--regie-color-border); }
        .regie-muted { color: var(--regie-color-muted); font-size: .9375rem; }
        .regie-visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
          white-space: nowrap; }
        .regie-table-wrap { overflow-x: auto; margin: 0 0 1.5rem; }
        .utrecht-table { border-collapse: collapse; width: 100%; }
        .utrecht-table__caption { text-align: left; font-weight: 700; padding: .5rem 0; }
        .utrecht-table th, .utrecht-table td { text-align: left; vertical-align: top; padding: .5rem .75rem;
          border-bottom: 1px solid var(--regie-color-border); }
        .utrecht-table th { background: var(--regie-color-surface); }
        .utrecht-badge-status { display: inline; padding: .1rem .4rem; border-radius: var(--regie-radius); font-weight: 600;
          -webkit-box-decoration-break: clone; box-decoration-break: clone; line-height: 1.9;
          font-size: .9375rem; border: 1px solid currentColor; }
        .utrecht-badge-status--overdue { background: #fdecef; color: #8a0017; }
        .utrecht-badge-status--soon { background: #fff4d6; color: #5c3d00; }
        .utrecht-badge-status--later { background: #eef1f5; color: #1a1a1a; }
        .utrecht-badge-status--info { background: #e8f0fb; color: #0b2a4d; }
        .utrecht-badge-status--ok { background: #e8f5ec; color: #14532d; }
        .utrecht-breadcrumb ol { list-style: none; padding: 0; margin: 0 0 1rem; display: flex; flex-wrap: wrap; }
        .utrecht-breadcrumb li + li::before { content: "›"; padding: 0 .5rem; color: var(--regie-color-muted); }
        .utrecht-pagination ol { list-style: none; padding: 0; display: flex; gap: .5rem; flex-wrap: wrap; }
        .utrecht-pagination a { display: inline-block; padding: .25rem .6rem; border: 1px solid var(--regie-color-border);
          border-radius: var(--regie-radius); }
        .utrecht-pagination a[aria-current="page"] { background: var(--regie-color-primary); color: #fff; }
        .utrecht-select, .utrecht-textarea { font: inherit; width: 100%; max-width: 28rem; padding: .5rem;
          border: 1px solid var(--regie-color-border); border-radius: var(--regie-radius); background: #fff; }
        .utrecht-textarea { max-width: 40rem; }
        .utrecht-form-field--checkbox { display: flex; gap: .5rem; align-items: center; margin: .25rem 0; }
        .utrecht-form-field--checkbox label { font-weight: 400; }
        .utrecht-button--secondary { background: #fff; color: var(--regie-color-primary); }
        .utrecht-button--secondary:hover { background: var(--regie-color-surface); }
        fieldset { border: 1px solid var(--regie-color-border); border-radius: var(--regie-radius); margin: 0 0 1.25rem;
          padding: .75rem 1rem; }
        legend { font-weight: 700; padding: 0 .25rem; }
        .regie-filters fieldset { display: flex; flex-wrap: wrap; gap: 0 1rem; align-items: flex-end; max-width: none; }
        .regie-filters .utrecht-form-field { margin-bottom: .75rem; }
        .regie-filters .utrecht-select { width: auto; }
        .regie-filters button { margin-bottom: .75rem; }
        .regie-inline { display: inline-block; margin: 0 .25rem .25rem 0; }
        .regie-inline .utrecht-button { padding: .25rem .5rem; font-size: .9375rem; }
        .regie-steps { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem; padding: 0; margin: 1rem 0 1.5rem; }
        .regie-step { padding: .35rem .75rem; border: 1px solid var(--regie-color-border); border-radius: 999px; }
        .regie-step--done { background: var(--regie-color-surface); }
        .regie-step--current { background: var(--regie-color-primary); color: #fff; font-weight: 700;
          border-color: var(--regie-color-primary); }
        .regie-action { border: 1px solid var(--regie-color-border); border-radius: var(--regie-radius);
          margin: 0 0 .75rem; padding: .5rem 1rem; max-width: 48rem; }
        .regie-action summary { cursor: pointer; font-weight: 600; padding: .25rem 0; }
        .regie-action-name { font-family: ui-monospace, monospace; }
        .regie-action[open] summary { margin-bottom: .75rem; }
        .regie-chart { margin: 1rem 0 .5rem; max-width: 44rem; }
        .regie-chart svg { width: 100%; height: auto; display: block; }
        .regie-chart figcaption { color: var(--regie-color-muted); font-size: .9rem; }
        .regie-chart-grid { stroke: #d0d5dd; stroke-width: 1; }
        .regie-chart-label { font-size: 11px; fill: var(--regie-color-text); }
        .regie-chart-line { fill: none; stroke-width: 2.5; }
        .regie-chart-line.regie-chart-series-0, .regie-chart-dot.regie-chart-series-0 { stroke: var(--regie-color-primary); }
        .regie-chart-line.regie-chart-series-1, .regie-chart-dot.regie-chart-series-1 { stroke: #a3470a; stroke-dasharray: 6 3; }
        .regie-chart-dot { fill: var(--regie-color-background); stroke-width: 2; }
        .regie-chart-key.regie-chart-series-0 { fill: var(--regie-color-primary); }
        .regie-chart-key.regie-chart-series-1 { fill: #a3470a; }
        .regie-chart-bar { fill: var(--regie-color-primary); }
        .regie-chart-bar-hidden { fill: none; stroke: var(--regie-color-border); stroke-dasharray: 4 3; }
        .regie-legend { background: var(--regie-color-surface); padding: .5rem .75rem; max-width: 44rem; }
        .regie-button-link { display: inline-block; text-decoration: none; }
        @media print {
          .regie-header form, .regie-skip, .regie-nav, .regie-footer, form, .utrecht-breadcrumb { display: none; }
          body { font-size: 11pt; color: #000; }
          .regie-header { background: none; color: #000; border-bottom: 2px solid #000; }
          .regie-logo { color: #000; }
          .regie-main { max-width: none; padding: 0; }
          .utrecht-table th, .utrecht-table td { border-bottom: 1px solid #000; padding: .2rem .4rem; }
          .regie-table-wrap { overflow: visible; }
          tr { page-break-inside: avoid; }
        }
        """
}
