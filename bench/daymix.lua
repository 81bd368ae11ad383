-- A working day's mix for wrk (issue 13), driven by bench/load_test.sh.
--
-- Each wrk thread is one person: the odd threads a bank or agency liaison, the even ones the clerk
-- (USERS, below). A thread signs in through the login form first (GET the form for its CSRF token, POST
-- the password: PBKDF2, on purpose slow), then every connection of the thread works with that session:
--   liaison: inbox tabs 4, a notice page 3 (ids read from the inbox), home 1, acknowledge or answer 1
--   clerk:   case list 3, a case page 3 (ids read from the list), search 1, home 1, issue a query 0.5
-- Writes go through the API with the session and the CSRF header; each notice is acknowledged and
-- answered once. done() prints one JSON line: throughput, p50/p95/p99, errors, requests per kind.

local USERS = {"liaison-bank-icbc", "clerk", "liaison-bank-abc", "clerk", "liaison-bank-ccb", "clerk",
               "liaison-police", "clerk"}
local PASSWORD = os.getenv("DEMO_PASSWORD") or "linkage-demo"
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  thread:set("user", USERS[((counter - 1) % #USERS) + 1])
  table.insert(threads, thread)
end

local state, csrf_cookie, csrf_token, session = "form", nil, nil, nil
local in_flight_login = false
local ids, new_ids, acked, used, case_ids = {}, {}, {}, {}, {}
kinds, statuses, bad = {}, {}, 0  -- globals: done() reads them with thread:get
local clerk

function init(args)
  clerk = (user == "clerk")
  math.randomseed(id * 7919)
end

local function cookie_header()
  local parts = {}
  if csrf_cookie then table.insert(parts, "csrftoken=" .. csrf_cookie) end
  if session then table.insert(parts, "sessionid=" .. session) end
  return table.concat(parts, "; ")
end

local function get(path, kind)
  kinds[kind] = (kinds[kind] or 0) + 1
  return wrk.format("GET", path, {["Cookie"] = cookie_header()})
end

local function post_json(path, body, kind)
  kinds[kind] = (kinds[kind] or 0) + 1
  return wrk.format("POST", path, {["Cookie"] = cookie_header(), ["X-CSRFToken"] = csrf_token,
                                   ["Content-Type"] = "application/json", ["Referer"] = "http://127.0.0.1/"},
                    body)
end

local function pick(list)
  if #list == 0 then return nil end
  return list[math.random(#list)]
end

local function weighted(choices)
  local total = 0
  for _, c in ipairs(choices) do total = total + c[1] end
  local r = math.random() * total
  for _, c in ipairs(choices) do
    r = r - c[1]
    if r <= 0 then return c[2] end
  end
  return choices[#choices][2]
end

local function liaison_request()
  local what = weighted({{4, "inbox"}, {3, "notice"}, {1, "home"}, {1, "write"}})
  if what == "notice" and #ids > 0 then
    return get("/notices/" .. pick(ids) .. "/", "notice page")
  elseif what == "home" then
    return get("/", "home")
  elseif what == "write" then
    -- answer a notice acknowledged at least two seconds ago (its acknowledgement has come back by then)
    local first = acked[1]
    if first and os.time() - first[2] >= 2 then
      local n = table.remove(acked, 1)[1]
      -- A done freeze or deduction must say the amount (issue 11); a bank says it for every answer.
      return post_json("/api/v1/notices/" .. n .. "/answer/",
                       '{"outcome": "done", "detail": "已办理", "result_amount": "1000.00"}', "answer")
    end
    for i, n in ipairs(new_ids) do  -- from the "to acknowledge" tab only
      if not used[n] then
        used[n] = true
        table.insert(acked, {n, os.time()})
        return post_json("/api/v1/notices/" .. n .. "/acknowledge/", "{}", "acknowledge")
      end
    end
  end
  local tab = pick({"new", "open", "overdue", "new"})
  return get("/inbox/?tab=" .. tab, "inbox")
end

local function clerk_request()
  local what = weighted({{3, "list"}, {3, "case"}, {1, "search"}, {1, "home"}, {0.5, "issue"}})
  if what == "case" and #case_ids > 0 then
    return get("/cases/" .. pick(case_ids) .. "/", "case page")
  elseif what == "search" then
    return get("/cases/?q=" .. "%E8%A2%AB%E6%89%A7%E8%A1%8C%E4%BA%BA" .. math.random(1, 100000), "search")
  elseif what == "home" then
    return get("/", "home")
  elseif what == "issue" and #case_ids > 0 then
    local unit = pick({"bank-icbc", "bank-abc", "bank-ccb"})
    return post_json("/api/v1/notices/", string.format(
      '{"case": %d, "unit": "%s", "action": "query", "subject": "查询被执行人名下账户"}', pick(case_ids), unit), "issue")
  end
  return get("/cases/?status=open", "case list")
end

function request()
  if state == "form" then
    return get("/accounts/login/", "sign in")
  elseif state == "login" then
    if in_flight_login then return get("/api/v1/health/", "sign in") end  -- one sign-in at a time
    in_flight_login = true
    local body = "username=" .. user .. "&password=" .. PASSWORD .. "&csrfmiddlewaretoken=" .. csrf_token
    kinds["sign in"] = (kinds["sign in"] or 0) + 1
    return wrk.format("POST", "/accounts/login/", {["Cookie"] = cookie_header(),
      ["Content-Type"] = "application/x-www-form-urlencoded", ["Referer"] = "http://127.0.0.1/"}, body)
  end
  if clerk then return clerk_request() end
  return liaison_request()
end

local function take_cookies(headers)
  for k, v in pairs(headers) do
    if string.lower(k) == "set-cookie" then
      local s = v:match("sessionid=([^;]+)")
      if s then session = s end
      local c = v:match("csrftoken=([^;]+)")
      if c and not csrf_cookie then csrf_cookie = c end
    end
  end
end

function response(status, headers, body)
  -- wrk does not say which request a response answers: the pages are told apart by their content.
  statuses[status] = (statuses[status] or 0) + 1
  take_cookies(headers)
  if state == "form" then
    local t = body:match('name="csrfmiddlewaretoken" value="([^"]+)"')
    if t and csrf_cookie then csrf_token = t; state = "login" end
    return
  elseif state == "login" then
    if status == 302 and session then state = "work" elseif status ~= 200 then in_flight_login = false end
    return
  end
  if status >= 400 then bad = bad + 1 end
  if not clerk and body:find('href="?tab=overdue"', 1, true) then
    local found = {}
    for n in body:gmatch('href="/notices/(%d+)/"') do table.insert(found, n) end
    if #found > 0 then ids = found end
    if body:find('href="?tab=new" aria-current="page"', 1, true) then new_ids = found end
  elseif clerk and body:find('name="q" value=""', 1, true) then  -- the open-case list, not a search
    local found = {}
    for n in body:gmatch('href="/cases/(%d+)/"') do table.insert(found, tonumber(n)) end
    if #found > 0 then case_ids = found end
  end
end

function done(summary, latency, requests)
  local per, errors, codes = {}, 0, {}
  for _, t in ipairs(threads) do
    local k = t:get("kinds")
    errors = errors + (t:get("bad") or 0)
    for name, n in pairs(k or {}) do per[name] = (per[name] or 0) + n end
    for code, n in pairs(t:get("statuses") or {}) do codes[tostring(code)] = (codes[tostring(code)] or 0) + n end
  end
  local e = summary.errors
  local socket = e.connect + e.read + e.write + e.timeout
  local parts = {}
  for name, n in pairs(per) do table.insert(parts, string.format('"%s": %d', name, n)) end
  local cparts = {}
  for code, n in pairs(codes) do table.insert(cparts, string.format('"%s": %d', code, n)) end
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.2f, "rps": %.1f, "p50_ms": %.1f, "p95_ms": %.1f, "p99_ms": %.1f, '
    .. '"errors": %d, "socket_errors": %d, "non_2xx_3xx": %d, "kinds": {%s}, "statuses": {%s}}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    errors, socket, e.status, table.concat(parts, ", "), table.concat(cparts, ", ")))
end
