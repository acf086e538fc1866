/**
 * The one seam between promise-shaped bridge code and callback-shaped mqtt.js hooks
 * (`handleMessage`): a rejected promise becomes `callback(err)` and is reported through `onError`,
 * never an unhandled rejection, and the callback is called exactly once.
 */
export function toCallback<A> (
  fn: (arg: A) => Promise<void>,
  onError: (err: unknown, arg: A) => void
): (arg: A, callback: (err?: Error) => void) => void {
  return (arg, callback) => {
    let promise: Promise<void>
    try {
      promise = fn(arg)
    } catch (err) {
      promise = Promise.reject(err)
    }
    promise.then(() => { callback() }, (err: unknown) => {
      onError(err, arg)
      callback(err instanceof Error ? err : new Error(String(err)))
    })
  }
}
