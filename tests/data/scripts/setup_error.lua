local http = require "tailgate.http"
options = { vus = 1, iterations = 3 }
function setup()
  error("no token in the environment")
end
function default() http.get(os.getenv("BASE_URL") .. "/") end
