// Activation ranges for QAT: a moving-average min/max observer, PyTorch's
// MovingAverageMinMaxObserver (the activation observer of its default QAT
// qconfig) with its averaging constant c = 0.01: the first batch sets
// [min, max], each later one moves them 1 % of the way to its own,
//   min ← min + c·(batch_min − min),   max ← max + c·(batch_max − max),
// so a range follows the weights as they change but no single batch's outlier
// sets it. After `freezeAfter` updates it stops, like torch.ao.quantization.
// disable_observer: the scales are then fixed for the rest of training, and
// the last steps train against exactly the scales the integer model gets.

export const DEFAULT_AVERAGING = 0.01;

export class MovingMinMax {
  private lo = NaN;
  private hi = NaN;
  private count = 0;

  constructor(
    readonly averaging = DEFAULT_AVERAGING,
    readonly freezeAfter = Infinity,
  ) {
    if (!(averaging > 0 && averaging <= 1)) throw new RangeError(`averaging constant ${averaging}: expected 0 < c ≤ 1`);
  }

  get updates(): number {
    return this.count;
  }

  get frozen(): boolean {
    return this.count >= this.freezeAfter;
  }

  get empty(): boolean {
    return this.count === 0;
  }

  /** One batch's min and max; ignored once frozen. */
  observe(min: number, max: number): void {
    if (this.frozen) return;
    if (!Number.isFinite(min) || !Number.isFinite(max)) throw new Error(`an activation range of [${min}, ${max}]: training has diverged (lower the learning rate)`);
    if (this.count === 0) [this.lo, this.hi] = [min, max];
    else {
      this.lo += this.averaging * (min - this.lo);
      this.hi += this.averaging * (max - this.hi);
    }
    this.count++;
  }

  range(): [number, number] {
    if (this.count === 0) throw new Error('the observer has seen no data');
    return [this.lo, this.hi];
  }
}
