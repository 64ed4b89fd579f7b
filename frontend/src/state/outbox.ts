// This tab's unacknowledged ops, kept in IndexedDB so a reload, a crash or a closed tab does not
// lose edits made offline: each op is written when it is made and removed when the server has
// answered it (applied or refused). After a reload the store restores them (same op_id, so one
// the server already applied is answered "duplicate") and sends them with their base_seq, so an
// edit older than a colleague's change to the same field becomes a conflict, not an overwrite.
// Kept per person and project: another account in the same browser never sends them.
import type { OpMessage } from "./protocol";

const DB_NAME = "previs-studio";
const STORE = "unsent-ops";
const VERSION = 1;

interface SavedOp {
  op_id: string;
  /** "<user id>:<project id>": whose ops, for which board. */
  owner: string;
  /** When it was made (ms) and its place in this tab's queue: restored in the order made. */
  at: number;
  order: number;
  message: OpMessage;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export class Outbox {
  private db: Promise<IDBDatabase | null>;
  private order = 0;
  /** Writes go one after another: an ack that comes before its op is stored still removes it. */
  private last: Promise<unknown> = Promise.resolve();

  constructor(private readonly owner: string, factory: IDBFactory | undefined = globalThis.indexedDB) {
    this.db = factory ? this.open(factory) : Promise.resolve(null);
  }

  private open(factory: IDBFactory): Promise<IDBDatabase | null> {
    return new Promise((resolve) => {
      const req = factory.open(DB_NAME, VERSION);
      req.onupgradeneeded = () => {
        const store = req.result.createObjectStore(STORE, { keyPath: "op_id" });
        store.createIndex("owner", "owner");
      };
      req.onsuccess = () => resolve(req.result);
      // Private windows or a full disk: the studio still works, edits just are not kept locally.
      req.onerror = () => resolve(null);
      req.onblocked = () => resolve(null);
    });
  }

  private async store(mode: IDBTransactionMode): Promise<IDBObjectStore | null> {
    const db = await this.db;
    return db ? db.transaction(STORE, mode).objectStore(STORE) : null;
  }

  /** The ops kept for this person and project, in the order they were made. */
  async load(): Promise<OpMessage[]> {
    const store = await this.store("readonly");
    if (!store) return [];
    const saved = (await request(store.index("owner").getAll(this.owner))) as SavedOp[];
    saved.sort((a, b) => a.at - b.at || a.order - b.order);
    return saved.map((s) => s.message);
  }

  /** Keep an op (again, when it changed: a conflict took fields out of it). */
  put(message: OpMessage): Promise<void> {
    const saved: SavedOp = { op_id: message.op_id, owner: this.owner, at: Date.now(), order: this.order++, message };
    return this.write((store) => store.put(saved));
  }

  remove(opId: string): Promise<void> {
    return this.write((store) => store.delete(opId));
  }

  private write(change: (store: IDBObjectStore) => IDBRequest): Promise<void> {
    const done = this.last.then(async () => {
      const store = await this.store("readwrite");
      if (store) await request(change(store));
    });
    this.last = done.catch((error) => console.warn("could not keep an unsent edit locally", error));
    return this.last as Promise<void>;
  }
}
