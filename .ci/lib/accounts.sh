# Sourced after .ci/lib/system.sh by CI scripts that exercise the network desk (CAMPUSDESK_AUTH=accounts):
# `make_accounts BIN` creates one account per role on the running system (the admin, agent, engineer
# and manager with the operator's `campusdesk users add`, the customer by registering through the API,
# as real people would) and fetches a bearer token for each with the OAuth2 password flow.
# Sets PASSWORD, and EMAIL_<role> and TOKEN_<role> for every role.
PASSWORD="correct horse battery staple"
ACCOUNT_ROLES="customer agent engineer manager admin"

make_accounts() {
    local bin=$1 role
    for role in admin agent engineer manager; do
        printf '%s\n' "$PASSWORD" | CAMPUSDESK_SPOOL="$WORK/spool" CAMPUSDESK_DATA="$WORK/data" \
            "$bin" users add --role "$role" --email "$role@example.test" --name "CI $role" --wait 60 >/dev/null ||
            { echo "accounts: users add --role $role failed" >&2; return 1; }
        printf -v "EMAIL_$role" '%s' "$role@example.test"
    done
    curl -fsS -H 'Content-Type: application/json' -X POST "$BASE/api/auth/register" \
        -d "{\"name\":\"CI customer\",\"email\":\"customer@example.test\",\"password\":\"$PASSWORD\"}" >/dev/null ||
        { echo "accounts: registering the customer failed" >&2; return 1; }
    EMAIL_customer=customer@example.test
    for role in $ACCOUNT_ROLES; do
        local email="EMAIL_$role" token
        token=$(curl -fsS -X POST "$BASE/api/auth/token" --data-urlencode "username=${!email}" \
            --data-urlencode "password=$PASSWORD" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])') ||
            { echo "accounts: no token for $role" >&2; return 1; }
        printf -v "TOKEN_$role" '%s' "$token"
    done
}
