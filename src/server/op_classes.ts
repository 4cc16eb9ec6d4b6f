// How the server sorts op codes: the short names cons/stat print as a
// connection's last operation (3.8's Request.op2String), and which ops become
// txns and which are answered from the tree.

/** A connection's last operation as 3.8's cons prints it. */
export const OP_NAMES: Record<number, string> = {
  0: "NOTIFICATION",
  1: "CREA",
  2: "DELE",
  3: "EXIS",
  4: "GETD",
  5: "SETD",
  6: "GETA",
  7: "SETA",
  8: "GETC",
  9: "SYNC",
  11: "PING",
  12: "GETC",
  13: "CHEC",
  14: "MULT",
  15: "CREA",
  17: "CHKW",
  18: "REMW",
  19: "CREA",
  20: "DELE",
  21: "CREA",
  22: "MLTR",
  101: "SETW",
  103: "GETE",
  104: "GETACN",
  105: "SETW",
  106: "ADDW",
  107: "HOMI",
  [-10]: "SESS",
  [-11]: "CLOS",
};

/** Op codes that become txns. */
export const WRITE_OPS: ReadonlySet<number> = new Set([1, 2, 5, 7, 13, 14, 15, 16, 19, 20, 21]);

/** Op codes answered from the tree. */
export const READ_OPS: ReadonlySet<number> = new Set([
  3,
  4,
  6,
  8,
  9,
  11,
  12,
  17,
  18,
  22,
  101,
  103,
  104,
  105,
  106,
  107,
]);
