// Runs async tasks one after another: a clone being replaced is never read, and
// two syncs of one repository never fetch at the same time.
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    // The queue goes on whether the task succeeded or not.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
