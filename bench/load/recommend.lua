-- wrk script: POST /api/recommend with a fixed playlist (SONGS env var holds the JSON list).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"songs":' .. (os.getenv("SONGS") or '[]') .. ',"limit":10}'
