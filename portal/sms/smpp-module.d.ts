// The part of the `smpp` package (no bundled types) that Foyer and its tests use.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  export interface Pdu {
    command: string;
    command_id: number;
    command_status: number;
    sequence_number: number;
    isResponse(): boolean;
    response(options?: Record<string, unknown>): Pdu;
    // Parameters and TLVs by their SMPP names.
    [param: string]: any;
  }

  type Callback = (pdu: Pdu) => void;

  export interface Session extends EventEmitter {
    socket: Socket;
    send(pdu: Pdu, responseCallback?: Callback, sendCallback?: Callback): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    pause(): void;
    resume(): void;
    bind_transmitter(options: Record<string, unknown>, cb?: Callback): boolean;
    bind_transceiver(options: Record<string, unknown>, cb?: Callback): boolean;
    bind_receiver(options: Record<string, unknown>, cb?: Callback): boolean;
    submit_sm(options: Record<string, unknown>, cb?: Callback): boolean;
    deliver_sm(options: Record<string, unknown>, cb?: Callback): boolean;
    enquire_link(options?: Record<string, unknown> | Callback, cb?: Callback): boolean;
    unbind(options?: Record<string, unknown> | Callback, cb?: Callback): boolean;
  }

  export interface Server extends NetServer {
    sessions: Session[];
  }

  interface Smpp {
    connect(
      options: { url: string; auto_enquire_link_period?: number; connectTimeout?: number },
      listener?: () => void,
    ): Session;
    createServer(listener: (session: Session) => void): Server;
    PDU: new (command: string, options?: Record<string, unknown>) => Pdu;
    ESME_ROK: number;
    [name: string]: any;
  }
  const smpp: Smpp;
  export default smpp;
}
