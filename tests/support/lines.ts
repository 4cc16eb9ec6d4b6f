// Splits a text stream into lines (what @std/streams' TextLineStream does;
// JSR is unreachable here).

/** A TransformStream from text chunks to lines without their line ends. */
export class TextLineStream extends TransformStream<string, string> {
  constructor() {
    let buf = "";
    super({
      transform(chunk, controller) {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf("\n")) >= 0) {
          controller.enqueue(buf.slice(0, i).replace(/\r$/, ""));
          buf = buf.slice(i + 1);
        }
      },
      flush(controller) {
        if (buf.length > 0) controller.enqueue(buf);
      },
    });
  }
}
