// Are repeated login failures from one address slowed down exponentially, forgotten after the window, and is the table bounded?
import t from 'tap'
import { createThrottle } from '../../src/auth/throttle.js'

const config = { freeFailures: 3, baseDelayMs: 500, maxDelayMs: 10000, windowMs: 60000, maxAddresses: 100 }

t.test('the first failures are free, then the delay doubles up to the cap', async (t) => {
  let clock = 0
  const throttle = createThrottle(config, () => clock)
  const delays: number[] = []
  for (let i = 0; i < 10; i++) {
    delays.push(throttle.delayFor('10.0.0.5'))
    throttle.recordFailure('10.0.0.5')
    clock += 10
  }
  t.same(delays, [0, 0, 0, 0, 500, 1000, 2000, 4000, 8000, 10000])
  t.equal(throttle.delayFor('10.0.0.6'), 0, 'another address is not slowed down')
})

t.test('a success clears the address, and failures are forgotten after the window', async (t) => {
  let clock = 0
  const throttle = createThrottle(config, () => clock)
  for (let i = 0; i < 6; i++) throttle.recordFailure('10.0.0.5')
  t.equal(throttle.delayFor('10.0.0.5'), 2000)
  throttle.recordSuccess('10.0.0.5')
  t.equal(throttle.delayFor('10.0.0.5'), 0)
  for (let i = 0; i < 6; i++) throttle.recordFailure('10.0.0.5')
  clock += 59_999
  t.equal(throttle.delayFor('10.0.0.5'), 2000, 'still counted just inside the window')
  clock += 1
  t.equal(throttle.delayFor('10.0.0.5'), 0, 'forgotten once the window has passed since the last failure')
  t.equal(throttle.recordFailure('10.0.0.5'), 1, 'counting starts again')
})

t.test('connections without an address share one bucket', async (t) => {
  const throttle = createThrottle(config)
  for (let i = 0; i < 4; i++) throttle.recordFailure(undefined)
  t.equal(throttle.delayFor(undefined), 500)
})

t.test('the table never holds more than maxAddresses; the least recently failed goes first', async (t) => {
  let clock = 0
  const throttle = createThrottle({ ...config, maxAddresses: 3 }, () => clock)
  for (const address of ['a', 'b', 'c']) {
    for (let i = 0; i < 5; i++) throttle.recordFailure(address)
    clock += 1
  }
  throttle.recordFailure('a')
  throttle.recordFailure('d')
  t.equal(throttle.size, 3)
  t.equal(throttle.delayFor('b'), 0, 'b, the least recently failed, was dropped')
  t.equal(throttle.delayFor('a'), 2000, 'a failed again recently and is kept')
  t.equal(throttle.delayFor('c'), 1000)
  for (let i = 0; i < 1000; i++) throttle.recordFailure(`x${i}`)
  t.equal(throttle.size, 3)
})

t.test('baseDelayMs 0 turns the slowdown off', async (t) => {
  const throttle = createThrottle({ ...config, baseDelayMs: 0 })
  for (let i = 0; i < 50; i++) throttle.recordFailure('a')
  t.equal(throttle.delayFor('a'), 0)
})
