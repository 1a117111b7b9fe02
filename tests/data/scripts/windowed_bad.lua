-- A window of 0 s is an error naming the option.
options = {
  vus = 1,
  duration = "1s",
  thresholds = { http_req_failed = { { threshold = "rate<0.05 over 0s", abortOnFail = true } } },
}
function default() end
