// Types for the consent widget as a page sees it: `window.Consent`, the DOM
// events it fires, and the helpers of this package.

/** What a visitor decided, as `getConsent()` returns it. */
export interface ConsentState {
  /** The consent id (a UUIDv7): the visitor's proof reference. */
  id: string;
  /** The accepted category ids. */
  categories: string[];
  /** The policy revision the decision was made on. */
  revision: string;
  /** When it was decided and when it expires (milliseconds since the epoch). */
  decidedAt: number;
  expiresAt: number;
}

/** `detail` of `consent:ready` and `consent:change`. */
export interface ConsentEventDetail {
  accepted: string[];
  rejected: string[];
}

/** `window.Consent`: exists as soon as the loader runs; commands wait for the widget. */
export interface ConsentApi {
  show(): void;
  hide(): void;
  showPreferences(): void;
  /** Opens the policy viewer, at a section number like `"1.7"`. */
  showPolicy(section?: string): void;
  accepted(category: string): boolean;
  acceptCategories(categories: string[]): void;
  getConsent(): ConsentState | null;
  reset(): void;
}

declare global {
  interface Window {
    Consent: ConsentApi;
  }
  interface DocumentEventMap {
    'consent:ready': CustomEvent<ConsentEventDetail>;
    'consent:change': CustomEvent<ConsentEventDetail>;
  }
}

/**
 * Adds the widget's script tag once (later calls return the same promise);
 * resolves once the loader has run and `window.Consent` takes commands.
 */
export function loadConsent(src: string, options?: { nonce?: string }): Promise<void>;
/** The visitor's choice once it is known (stored or new). */
export function whenReady(): Promise<ConsentEventDetail>;
/** Runs `fn` once `category` is accepted; returns a function that cancels the wait. */
export function onConsent(category: string, fn: () => void): () => void;
