/** zkt's own version, printed by `zkt --version`. */
export const VERSION = "0.1.0";

/** The Apache ZooKeeper release whose wire and disk formats zkt speaks. */
export const ZOOKEEPER_COMPAT = "3.8";
