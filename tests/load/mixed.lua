-- vientro load test: mixed reads and writes over the JSON API and the pages (wrk script).
-- Reads: item lists (national, by province), one item, a province dashboard, the organisation list.
-- Writes (1 request in 5): a planned commitment added to a random item, through POST /api/v1/aid-items/{id}/flows.
-- Needs TOKEN (an API token of a central-staff user) and ITEMS (how many items exist, ids 1..ITEMS).

local token = os.getenv("TOKEN")
local items = tonumber(os.getenv("ITEMS") or "1000")
local provinces = { "01", "04", "19", "20", "22", "24", "31", "46", "48", "79" }
local counter = 0

local function auth()
  return { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
end

request = function()
  counter = counter + 1
  local pick = counter % 10
  local id = math.random(1, items)
  local province = provinces[math.random(#provinces)]
  if pick == 0 or pick == 5 then
    local body = string.format(
      '{"kind":"commitment","stage":"planned","date":"2024-06-%02d","amount":"%d.00","currency":"USD","note":"load test"}',
      math.random(1, 28), math.random(100, 100000))
    return wrk.format("POST", "/api/v1/aid-items/" .. id .. "/flows", auth(), body)
  elseif pick == 1 then
    return wrk.format("GET", "/api/v1/aid-items?province=" .. province, auth())
  elseif pick == 2 then
    return wrk.format("GET", "/api/v1/aid-items/" .. id, auth())
  elseif pick == 3 then
    return wrk.format("GET", "/aid-items?province=" .. province, auth())
  elseif pick == 4 then
    return wrk.format("GET", "/aid-items/" .. id, auth())
  elseif pick == 6 then
    return wrk.format("GET", "/dashboard/province/" .. province .. "?year=2021", auth())
  elseif pick == 7 then
    return wrk.format("GET", "/organisations", auth())
  elseif pick == 8 then
    return wrk.format("GET", "/api/v1/aid-items?page=" .. math.random(1, 50), auth())
  else
    return wrk.format("GET", "/aid-items?q=nuoc", auth())
  end
end

local failures = 0
response = function(status, headers, body)
  if status >= 400 then
    failures = failures + 1
    if failures <= 5 then io.stderr:write("status " .. status .. ": " .. string.sub(body, 1, 300) .. "\n") end
  end
end
