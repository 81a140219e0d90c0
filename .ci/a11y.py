"""Accessibility gate: axe-core, through Playwright and Debian's headless Chromium, on every page
for every role, at desktop and phone sizes; WCAG 2.2 A/AA plus axe's best practices. Prints each
violation with its rule, impact, help URL and the offending elements; exits 1 on any.

    python .ci/a11y.py BASE_URL [open|accounts]

The caller (.ci/a11y) starts the product. This script makes the data it needs through the JSON
API: a ticket with messages and a status history, so the ticket page shows a conversation, and a
closed one for staff. On the network desk (accounts) the caller has made one account per role and
passes their bearer tokens as TOKEN_<role>; each role's pages are checked with its session cookie,
and the login and registration pages without one. Besides axe's findings, a page that logs a console error (a script the
Content-Security-Policy blocked, say), whose subresources fail (the favicon's 404), or that is wider than the window
(a long URL in a description, a chart of fixed size on a phone) counts too.
"""
import json, os, sys, time, urllib.request
from playwright.sync_api import sync_playwright
from axe_playwright_python.sync_playwright import Axe

BASE = sys.argv[1].rstrip("/")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]


MODE = sys.argv[2] if len(sys.argv) > 2 else "open"
TOKENS = {r: os.environ.get(f"TOKEN_{r}", "") for r in ["customer", "agent", "engineer", "manager", "admin"]}


def api(method, path, body=None, role="agent", headers=None):
    auth = {"Authorization": f"Bearer {TOKENS[role]}"} if MODE == "accounts" else {"X-CampusDesk-Role": role}
    req = urllib.request.Request(BASE + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", **auth, **(headers or {})})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"{}")


ticket = api("POST", "/api/tickets", {"description": "The projector in room 2.14 flickers <b>badly</b>",
                                      "location": "Main building 2.14", "reporter": "Ana"}, role="customer")
tid = ticket["id"]
api("POST", f"/api/tickets/{tid}/messages", {"body": "Which cable do you use?", "author_name": "Helpdesk"})
api("POST", f"/api/tickets/{tid}/messages", {"body": "The grey HDMI one", "author_name": "Ana"}, role="customer")
api("POST", f"/api/tickets/{tid}/status", {"status": "active"})
api("PATCH", f"/api/tickets/{tid}", {"location": "Main building 2.14, front row"}, role="customer")
done = api("POST", "/api/tickets", {"description": "Heating in the library is off", "location": "Library"}, role="customer")["id"]
# A 189-character URL: one word the page must break rather than widen past a phone's screen.
long_url = "https://intranet.campus.example/facilities/reports/2026/heating-and-ventilation/building-c/floor-3/" + "x" * 91
wide = api("POST", "/api/tickets", {"description": f"The radiator log is at {long_url} and says the valve is stuck",
                                    "location": "Building C"}, role="customer")["id"]
api("POST", f"/api/tickets/{done}/status", {"status": "active"})
api("POST", f"/api/tickets/{done}/messages", {"body": "Fixed the valve.", "author_name": "Helpdesk"})
api("POST", f"/api/tickets/{done}/status", {"status": "closed"})

# The browser contexts' cd_browser cookie, which is also a valid reporter key: on the campus desk
# the customer's notifications page then lists the receipt of this report (docs/notifications.md).
BROWSER_KEY = "0123456789abcdef0123456789abcdef"
if MODE == "open":
    api("POST", "/api/tickets", {"description": "The window in room 1.02 does not close", "location": "Room 1.02"},
        role="customer", headers={"X-CampusDesk-Reporter-Key": BROWSER_KEY})
# The notifier keeps the notices a moment after the events; wait for the customer's inbox to fill.
for _ in range(100):
    mine = api("GET", "/api/notifications", role="customer", headers={"X-CampusDesk-Reporter-Key": BROWSER_KEY} if MODE == "open" else None)
    if mine["notifications"]:
        break
    time.sleep(0.2)
else:
    print("a11y: the customer's notifications never arrived (is the notifier running?)")
    sys.exit(1)

# Every page for every role: what a role may not see is its error page, which must pass too.
if MODE == "open":
    DIRECTORY_ENGINEER = int(os.environ["DIRECTORY_ENGINEER_ID"])
    api("PUT", f"/api/tickets/{tid}/assign", {"assignee_id": DIRECTORY_ENGINEER})
    PAGES = {
        "customer": ["/", "/tickets", "/tickets?q=projector", "/tickets?q=nothing-matches-this", "/tickets/new",
                     f"/tickets/{tid}", f"/tickets/{done}", f"/tickets/{wide}", "/dashboard", "/no-such-page",
                     "/notifications", "/notifications/preferences"],
        # An engineer who picked themselves from the staff directory (cd_staff), with a ticket assigned.
        "directory-engineer": ["/", f"/tickets?assignee_id={DIRECTORY_ENGINEER}", f"/tickets/{tid}", f"/tickets/{done}",
                               "/notifications", "/notifications/preferences"],
        "agent": ["/", "/tickets", "/tickets?status=closed", "/tickets?category=it", "/tickets?assigned_to=none",
                  f"/tickets?assigned_to={DIRECTORY_ENGINEER}", "/tickets/new", f"/tickets/{tid}",
                  f"/tickets/{done}", f"/tickets/{wide}", "/dashboard", "/dashboard?period=6&unit=hours", "/dashboard?period=30&unit=days",
                  "/dashboard?period=0&unit=hours", "/admin/issue-types", "/posters",
                  "/posters?location=Building%20C%2C%20lift%202&origin=https%3A%2F%2Fhelpdesk.example.edu",
                  "/posters?location=&origin=ftp%3A%2F%2Fx", "/tickets/new?location=Building%20C", "/no-such-page"],
    }
else:
    engineer = api("GET", "/api/auth/me", role="engineer")["id"]
    api("PUT", f"/api/tickets/{tid}/assign", {"assignee_id": engineer})
    PAGES = {
        "": ["/login", "/register", "/no-such-page"],
        "customer": ["/", "/tickets", "/tickets/new", f"/tickets/{tid}", f"/tickets/{wide}", "/account/password", "/dashboard", "/admin/users",
                     "/admin/issue-types", "/posters", "/notifications", "/notifications/preferences"],
        "agent": ["/", "/tickets", "/tickets?assigned_to=none", f"/tickets?assigned_to={engineer}", f"/tickets/{tid}",
                  f"/tickets/{done}", "/dashboard"],
        "engineer": ["/", "/tickets", f"/tickets/{tid}", f"/tickets/{done}", "/posters?location=Lab%204&origin=https%3A%2F%2Fdesk.example",
                     "/notifications"],
        "manager": ["/", "/tickets", f"/tickets/{tid}"],
        "admin": ["/", "/admin/users", "/admin/users?role=engineer&active=true", "/admin/issue-types", "/tickets/new", f"/tickets/{tid}"],
    }
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

axe = Axe()
violations = 0
checked = 0
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"])
    for role, paths in PAGES.items():
        for size_name, size in SIZES.items():
            context = browser.new_context(viewport=size)
            cookies = [{"name": "cd_browser", "value": "0123456789abcdef0123456789abcdef", "url": BASE}]
            if MODE == "open" and role == "directory-engineer":
                cookies += [{"name": "cd_role", "value": "agent", "url": BASE},
                            {"name": "cd_staff", "value": str(DIRECTORY_ENGINEER), "url": BASE}]
            elif MODE == "open":
                cookies += [{"name": "cd_role", "value": role, "url": BASE},
                            {"name": "cd_name", "value": "Ana" if role == "customer" else "Helpdesk", "url": BASE}]
            elif role:
                cookies.append({"name": "cd_session", "value": TOKENS[role], "url": BASE})
            context.add_cookies(cookies)
            page = context.new_page()
            problems = []
            # Failed loads are reported by the response hook (the page itself may be a 403 or 404 on purpose).
            page.on("console", lambda m: problems.append(f"console error: {m.text}")
                    if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
            page.on("response", lambda r: problems.append(f"{r.status} for {r.url}")
                    if r.status >= 400 and r.request.resource_type != "document" else None)
            for path in paths:
                problems.clear()
                page.goto(BASE + path, wait_until="load")
                results = axe.run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
                checked += 1
                # Layout: nothing may make the page wider than the window (a long URL, a fixed-size chart).
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                if overflow > 0:
                    problems.append(f"the page is {overflow} px wider than the {size['width']} px window")
                for p in problems:
                    violations += 1
                    print(f"VIOLATION {MODE} {role or 'anonymous'} {size_name} {path}: {p}")
                for v in results.response.get("violations", []):
                    violations += 1
                    print(f"VIOLATION {MODE} {role or 'anonymous'} {size_name} {path}: {v['id']} ({v.get('impact')}) {v['help']} {v['helpUrl']}")
                    for node in v.get("nodes", [])[:5]:
                        print(f"    {' '.join(node.get('target', []))}: {node.get('failureSummary', '').splitlines()[-1:]}")
            context.close()
    browser.close()
print(f"a11y ({MODE}): {checked} page views checked (roles x sizes), {violations} violations")
sys.exit(1 if violations else 0)
