// One bus for every event: publishers do not know who listens. Subscribers run in
// the order they subscribed, each on its own: one that throws is reported and the
// others still get the event.

export class EventBus<E> {
  private readonly subscribers = new Set<(event: E) => void>();

  constructor(private readonly onSubscriberError: (error: unknown) => void = () => {}) {}

  subscribe(subscriber: (event: E) => void): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  publish(event: E): void {
    for (const subscriber of this.subscribers) {
      try {
        subscriber(event);
      } catch (error) {
        this.onSubscriberError(error);
      }
    }
  }
}
