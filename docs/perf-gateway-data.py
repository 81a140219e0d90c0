# Usage: perf-gateway-data.py SPOOL N [ENGINEERS]: N import commands into SPOOL's commands queue.
# With ENGINEERS, tickets also carry triage (four in five a severity and an impact, one in twenty a
# pinned priority) and one in two hundred open and active ones (about 50 an engineer, as a desk
# has; the staff list counts each engineer's open tickets for its filter) an assignee among accounts 1..ENGINEERS,
# which must exist before the worker applies the import; drawn from a second generator, so the
# tickets themselves are the same as without.
import json, os, random, sys, time, uuid
root = sys.argv[1]; n = int(sys.argv[2]); engineers = int(sys.argv[3]) if len(sys.argv) > 3 else 0  # 0: no triage either
triage = random.Random(15)
q = os.path.join(root, "queues", "commands")
for st in ["tmp", "new", "cur", "deferred", "dead"]: os.makedirs(os.path.join(q, st), exist_ok=True)
rnd = random.Random(7)
things = ["printer", "projector", "Wi-Fi", "heating", "door lock", "lift", "canteen till", "library scanner", "window", "tap"]
places = ["Library", "Physics building", "Main hall", "Canteen", "Chemistry lab", "Dorm A", "Sports centre"]
now = int(time.time()) - 3600
def iso(s): return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(s))
def ticket(i):
    opened = now - rnd.randint(3600, 540 * 86400)
    status = rnd.choice(["open", "active", "closed", "closed", "closed"])
    t = {"description": f"The {rnd.choice(things)} in room {rnd.randint(1,400)} is broken again ({i})",
         "location": f"{rnd.choice(places)}, room {rnd.randint(1,400)}", "reporter": f"Student {i % 977}",
         "status": status, "opened_at": iso(opened), "messages": []}
    if status == "closed": t["closed_at"] = iso(min(now, opened + rnd.randint(600, 20 * 86400)))
    if engineers:
        if triage.random() < 0.8:
            t["severity"] = triage.choice(["critical", "high", "medium", "medium", "low", "low"])
            t["impact"] = triage.choice(["one", "one", "one", "several", "many"])
        if triage.random() < 0.05: t["priority"] = triage.choice(["P1", "P2", "P3", "P4"])
        if status != "closed" and triage.random() < 0.005: t["assignee_id"] = triage.randint(1, engineers)
    return t
counter = 0
batch = []
def flush():
    global counter, batch
    if not batch: return
    counter += 1
    name = f"{int(time.time()*1000)}-{os.getpid()}-{counter:06d}-{uuid.uuid4().hex[:8]}.json"
    tmp = os.path.join(q, "tmp", name)
    with open(tmp, "w") as f: f.write("".join(batch))
    os.rename(tmp, os.path.join(q, "new", name))
    batch = []
for i in range(n):
    t = ticket(i)
    if i == 0:
        t["status"] = "active"; t.pop("closed_at", None)
        t["messages"] = [{"author_role": "agent" if k % 2 else "customer", "author_name": "Grace" if k % 2 else "Ada",
                          "body": f"Message {k}: the projector still flickers when the HDMI adapter is moved, please check the cable.",
                          "sent_at": iso(now - 3000 + k * 60)} for k in range(20)]
        t["opened_at"] = iso(now - 3600)
    cmd = {"id": str(uuid.uuid4()), "role": "admin", "action": dict(type="import_ticket", **t)}
    env = {"v": 1, "id": str(uuid.uuid4()), "type": "command", "sent_at": iso(now), "attempts": 0, "reply_to": None, "correlation_id": None, "body": cmd}
    batch.append(json.dumps(env, separators=(",", ":")) + "\n")
    if len(batch) == 500: flush()
flush()
print("files", counter)
