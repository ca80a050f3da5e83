-- What the operator scripts answer for one job; src/script-codes.ts maps each
-- to its outcome in one place (test/script-codes.test.ts holds the two equal).
local CODE = {
  done = 1,
  not_found = 0,
  invalid_state = -1,
  running = -2,
  cancelling = 2,
}
