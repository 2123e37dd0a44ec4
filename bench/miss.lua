-- wrk script for the bench's cache-miss table (bench/run.py, BENCH_MODE=miss|both):
-- every request a distinct URL. The paths to cycle through (search words, filters, pages,
-- other records) are read from the file named by BENCH_PATHS, one a line; each request
-- adds v=<thread>-<n>, a parameter no view declares, so the page cache never stores or
-- serves it (interacta/core/cache.py): every response is built from the database.
local paths = {}
local counter = 0

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  for line in io.lines(os.getenv("BENCH_PATHS")) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  -- Threads start at different places in the list.
  counter = (thread_id or 0) * 7919
end

function request()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  local sep = string.find(path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, path .. sep .. "v=" .. (thread_id or 0) .. "-" .. counter)
end
