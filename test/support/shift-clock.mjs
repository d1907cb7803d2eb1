// A preload (node --import) that sets this process's wall clock apart from the machine's
// by FOYER_TEST_CLOCK_SHIFT_MS, as a host with a badly kept clock would be. Plain
// JavaScript: Node loads it before tsx is registered. Only Date.now and `new Date()`
// move; the monotonic clock (performance.now) does not, as on a real host.
const shift = Number(process.env.FOYER_TEST_CLOCK_SHIFT_MS ?? 0);
if (shift) {
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(realNow() + shift);
      else super(...args);
    }
    static now() {
      return realNow() + shift;
    }
  }
  globalThis.Date = ShiftedDate;
}
