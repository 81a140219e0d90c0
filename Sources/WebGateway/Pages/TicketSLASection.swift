import Domain

/// The ticket page's SLA section (staff): each timer's due time and state now, when it was met,
/// and the policy version the ticket runs under (docs/sla.md, "Timers on tickets").
enum TicketSLASection {
    static func render(_ sla: TicketSLA, now: Timestamp, time: CampusTime, into b: inout HTMLBuffer) {
        b.raw("<section aria-labelledby=\"sla-h\">\n<h2 id=\"sla-h\">Service targets</h2>\n<dl class=\"facts\">\n")
        for kind in SLATimerKind.allCases {
            let timer = sla[kind]
            b.raw("<dt>")
            b.raw(kind == .firstResponse ? "First response" : "Resolution")
            b.raw("</dt>\n<dd>")
            b.raw(html: stateLabel(timer.state(now: now)))
            b.raw(", due ")
            b.raw(html: time.html(timer.deadlines.due))
            if let met = timer.metAt {
                b.raw(", met ")
                b.raw(html: time.html(met))
            }
            b.raw("</dd>\n")
        }
        b.raw("<dt>Targets</dt>\n<dd>version ")
        b.number(sla.policyVersion)
        b.raw(" (changes apply to tickets reported after them)</dd>\n</dl>\n</section>\n")
    }

    /// The state as a badge; the words carry the meaning, the class only the colour.
    static func stateLabel(_ s: SLAState) -> String {
        switch s {
        case .onTrack: "<span class=\"sla sla-on-track\">on track</span>"
        case .atRisk: "<span class=\"sla sla-at-risk\">at risk</span>"
        case .breached: "<span class=\"sla sla-breached\">breached</span>"
        case .met: "<span class=\"sla sla-met\">met</span>"
        }
    }
}
