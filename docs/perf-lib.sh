# Shared by docs/perf-gateway.sh and docs/perf-compare.sh (sourced): the nginx baseline and the
# wrk script that creates tickets, so both measure against the same reference the same way.

# perf_nginx DIR: writes a 5 KB static file and an nginx config on 127.0.0.1:18480 under DIR.
perf_nginx() {
    mkdir -p "$1/www"
    head -c 5120 /dev/urandom | base64 | head -c 5120 > "$1/www/static.txt"
    cat > "$1/nginx.conf" <<NG
worker_processes 1; pid $1/nginx.pid; error_log $1/nginx.err;
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:18480; root $1/www; } }
NG
}

# perf_post_lua FILE: a wrk script posting a new ticket per request as a user (JSON API).
perf_post_lua() {
    cat > "$1" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-CampusDesk-Role"] = "customer"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/api/tickets", nil, string.format(
    '{"description":"The projector in room %d flickers when the HDMI cable moves","location":"Main hall","reporter":"Bench %d"}', n % 400, n))
end
LUA
}
