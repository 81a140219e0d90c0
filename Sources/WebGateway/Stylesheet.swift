import HTTPServer
import SpoolBroker

/// The one stylesheet, served at `/static/app.css` with caching headers.
///
/// Embedded so the gateway is one binary with no asset directory to deploy. Colours meet WCAG AA
/// contrast (4.5:1 for text); focus is always visible; one column below 40 rem for phones.
enum Stylesheet {
    static let css = """
    :root { --ink: #1b1f24; --muted: #4a5360; --line: #c5ccd6; --bg: #ffffff; --panel: #f3f5f8;
      --accent: #0b4f9c; --accent-ink: #ffffff; --ok: #1d6b33; --warn: #8a4b00; --bad: #a4161a; }
    * { box-sizing: border-box; }
    html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5; color: var(--ink); background: var(--bg); }
    body { margin: 0; }
    a { color: var(--accent); }
    a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible {
      outline: 3px solid #f5a300; outline-offset: 2px; }
    .skip { position: absolute; left: -999px; top: 0; background: var(--accent); color: var(--accent-ink); padding: .5rem 1rem; }
    .skip:focus { left: 0; z-index: 10; }
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    header.site { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; padding: .75rem 1rem;
      background: var(--panel); border-bottom: 1px solid var(--line); }
    header.site .brand { margin: 0; font-weight: 700; font-size: 1.2rem; }
    header.site .brand a { text-decoration: none; color: var(--ink); }
    header.site nav ul { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; margin: 0; padding: 0; }
    .role-switch { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; margin-left: auto; }
    .role-switch p { margin: 0; }
    /* A long word or URL breaks instead of widening the page past the screen. In the list's table
       only the problem column may break anywhere (`anywhere` lets a cell shrink below its words, so
       on every column it broke headings and "Medium" mid-word); the other cells keep their words. */
    main { max-width: 64rem; margin: 0 auto; padding: 1rem; overflow-wrap: break-word; }
    table.tickets td:nth-child(2) { overflow-wrap: anywhere; }
    footer.site { border-top: 1px solid var(--line); padding: 1rem; color: var(--muted); text-align: center; }
    h1 { font-size: 1.75rem; margin: .5rem 0 1rem; }
    h2 { font-size: 1.3rem; margin: 1.5rem 0 .5rem; }
    .muted, .hint, .optional, .age { color: var(--muted); }
    .attachments { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .5rem; }
    .attachment-image { display: block; max-width: min(100%, 20rem); max-height: 15rem; height: auto; border: 1px solid var(--line); }
    .attachments.captioned { flex-direction: column; }
    .attachments.captioned li { display: flex; align-items: center; gap: .5rem; }
    .attachment-image.thumb { max-width: 6rem; max-height: 4.5rem; }
    .hint { margin: 0 0 .25rem; font-size: .95rem; }
    .field { display: flex; flex-direction: column; gap: .2rem; margin-bottom: .75rem; }
    label { font-weight: 600; }
    input[type=text], input[type=search], input[type=number], input[type=email], input[type=tel], input[type=password], select, textarea {
      font: inherit; padding: .45rem .5rem; border: 1px solid #6b7480; border-radius: 4px; max-width: 100%; }
    textarea { width: 100%; }
    [aria-invalid=true] { border-color: var(--bad); border-width: 2px; }
    button, .button { font: inherit; display: inline-block; padding: .5rem 1rem; border: 0; border-radius: 4px;
      background: var(--accent); color: var(--accent-ink); text-decoration: none; cursor: pointer; }
    .role-switch button { background: transparent; color: var(--accent); border: 1px solid var(--accent); padding: .25rem .6rem; }
    .field-error, .form-error { color: var(--bad); font-weight: 600; margin: 0; }
    .counter.over { color: var(--bad); font-weight: 600; }
    img.poster { max-width: 100%; height: auto; border: 1px solid var(--line); background: #fff; }
    .flash { padding: .75rem 1rem; border-left: 4px solid var(--ok); background: #e8f4eb; }
    .flash.error { border-color: var(--bad); background: #fbeaea; }
    .unavailable { padding: .75rem 1rem; border-left: 4px solid var(--warn); background: #fdf3e6; }
    .notice { padding: .25rem 1rem; border-left: 4px solid var(--accent); background: var(--panel); margin: .75rem 0; }
    .field.check { flex-direction: row; flex-wrap: wrap; align-items: center; gap: .4rem; }
    .field.check .field-error { flex-basis: 100%; }
    .field.check input { width: 1.25rem; height: 1.25rem; margin: 0; }
    .field.check label { font-weight: 400; }
    .reason { overflow-wrap: anywhere; }
    .flag { color: var(--warn); }
    .filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end; }
    .inline { display: inline-flex; flex-wrap: wrap; gap: .5rem; align-items: flex-end; margin: 0 1rem .75rem 0; max-width: 100%; }
    .inline > * { min-width: 0; max-width: 100%; }
    fieldset { border: 1px solid var(--line); border-radius: 4px; margin: 0 0 1rem; }
    .choice { display: flex; gap: .5rem; align-items: center; }
    table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
    caption { text-align: left; font-weight: 600; padding: .25rem 0; }
    th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
    .status { display: inline-block; padding: 0 .4rem; border-radius: 3px; font-weight: 600; }
    .status-open { background: #e0ecfa; color: #0b3f7c; }
    .status-active { background: #fdf0d9; color: #6e3c00; }
    .status-closed { background: #e6e8eb; color: #30363d; }
    .facts { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1rem; }
    .facts dt { font-weight: 600; }
    .facts dd { margin: 0; }
    .sla { padding: 0 .3rem; border-radius: .2rem; font-weight: 600; }
    .sla-on-track, .sla-met { background: #e6f4ea; color: #1e4620; }
    .sla-at-risk { background: #fff3cd; color: #5c4400; }
    .sla-breached { background: #f8d7da; color: #6b0f17; }
    .text { white-space: pre-wrap; overflow-wrap: anywhere; }
    .thread { list-style: none; padding: 0; }
    .history { padding-left: 1.25rem; }
    .history li { margin: .35rem 0; }
    .history details { display: inline; }
    .suggestions { border: 1px solid var(--line); border-radius: 4px; padding: .25rem .75rem; margin: .5rem 0; }
    .suggestions h3 { margin: .25rem 0; font-size: 1rem; }
    .message { border: 1px solid var(--line); border-radius: 4px; padding: .5rem .75rem; margin-bottom: .5rem; }
    .message.from-staff, .message.from-agent, .message.from-engineer, .message.from-manager, .message.from-admin { background: var(--panel); }
    .narrow { max-width: 28rem; }
    .actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: flex-end; }
    .actions form { margin: 0; }
    .secondary { background: transparent; color: var(--accent); border: 1px solid var(--accent); }
    .message .meta { margin: 0; }
    .notifications { list-style: none; padding: 0; }
    .notifications li { border: 1px solid var(--line); border-left-width: 4px; border-radius: 4px; padding: .25rem .75rem; margin-bottom: .5rem; overflow-wrap: anywhere; }
    .notifications li.unread { border-left-color: var(--accent); background: var(--panel); }
    .notifications h2 { font-size: 1.05rem; margin: .25rem 0; }
    .notifications p, .notifications form { margin: .25rem 0; }
    .pager { display: flex; gap: 1rem; margin: 1rem 0; }
    .panel { border-top: 1px solid var(--line); }
    .chart-row { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
    .chart-row > * { flex: 1 1 20rem; min-width: 0; }
    figure.chart { margin: 0; }
    svg.chart { max-width: 100%; height: auto; }
    @media (max-width: 40rem) {
      .facts { grid-template-columns: 1fr; }
      .facts dd { margin-bottom: .5rem; }
      table.tickets thead { display: none; }
      table.tickets tr { display: block; border-bottom: 1px solid var(--line); padding: .5rem 0; }
      table.tickets td { display: block; border: 0; padding: .1rem 0; }
      table.triage td:nth-child(5)::before { content: "Priority: "; font-weight: 600; }
      table.triage td:nth-child(6)::before { content: "SLA: "; font-weight: 600; }
      table.triage td:nth-child(6):empty { display: none; }
      table.triage td:nth-child(7)::before { content: "Severity: "; font-weight: 600; }
      table.triage td:nth-child(8)::before { content: "Assigned to: "; font-weight: 600; }
      .role-switch { margin-left: 0; }
    }
    """

    static let asset = StaticAsset(body: Array(css.utf8), contentType: "text/css; charset=utf-8")
    static var etag: String { asset.etag }

    /// The stylesheet, or 304 when the browser already has this version.
    static func response(for request: HTTPRequest) -> HTTPResponse { asset.response(for: request) }
}
