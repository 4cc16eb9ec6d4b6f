// Session-tracker scenarios as step → expected line (the step language of script.ts and
// SessionOracle.java). The unit tests run them against zkt; oracle_test.ts also runs them
// against Apache ZooKeeper 3.8's own trackers, so every expected line is 3.8's answer.
// Ids: S1 = 0x0100000000000005 (made by sid 1), S2 = 0x0200000000000007 (sid 2),
// S3 = 0x0300000000000001 (sid 3); owners h1..h3 are learner links, `me` the server's own port.

/** One named scenario: steps with the line each must print. */
export interface Scenario {
  name: string;
  steps: ReadonlyArray<readonly [string, string]>;
}

const S1 = "0x0100000000000005";
const S2 = "0x0200000000000007";
const S3 = "0x0300000000000001";
const S2_DEC = "144115188075855879";
const S1_DEC = "72057594037927941";

/** Scenarios for the leader's tracker. */
export const LEADER_SCENARIOS: Scenario[] = [
  {
    name: "leader_touch_is_false_for_unknown_or_closing_sessions",
    steps: [
      [`new leader 1 0 ${S2}:4000`, "ok"],
      [`touch ${S2} 4000`, "true"],
      [`touch ${S3} 4000`, "false"],
      [`check ${S3} h1`, "SessionExpired"],
      [`checkGlobal ${S3} h1`, "SessionExpired"],
      [`closing ${S2}`, "ok"],
      [`touch ${S2} 4000`, "false"],
      [`check ${S2} h1`, "SessionExpired"],
      [`revalidate ${S2} 4000 h1`, "false"],
      [`setOwner ${S2} h1`, "SessionExpired"],
    ],
  },
  {
    name: "leader_session_moved_until_revalidate_moves_the_owner",
    steps: [
      [`new leader 1 0 ${S2}:4000`, "ok"],
      [`check ${S2} h2`, "ok"], // the first request claims the session for its link
      [`check ${S2} h2`, "ok"],
      [`check ${S2} h3`, "SessionMoved"],
      [`revalidate ${S2} 6000 h3`, "true"],
      [`check ${S2} h3`, "ok"],
      [`check ${S2} h2`, "SessionMoved"],
      [`checkGlobal ${S2} h2`, "SessionMoved"],
      [`reconnect ${S2} 6000`, "true"],
      [`check ${S2} me`, "ok"],
      [`check ${S2} h3`, "SessionMoved"],
      [`revalidate ${S3} 4000 h1`, "false"],
      [`reconnect ${S3} 4000`, "false"],
    ],
  },
  {
    name: "leader_create_session_is_global_from_prep_and_owned_by_its_requester",
    steps: [
      ["new leader 1 0", "ok"],
      [`prepCreate ${S2} 4000 h2`, "ok"],
      [`isGlobal ${S2}`, "true"],
      [`check ${S2} h2`, "ok"],
      [`check ${S2} me`, "SessionMoved"],
      [`commit ${S2} 4000`, "true"],
      [`commit ${S2} 4000`, "false"],
      [`track ${S2} 4000`, "false"],
      [`remove ${S2}`, "ok"],
      [`isGlobal ${S2}`, "false"],
      [`check ${S2} h2`, "SessionExpired"],
      ["create a 4000", "sid=1"],
      ["isGlobal a", "true"],
      ["isLocal a", "false"],
      [`closing ${S1}`, "ok"],
      [`prepCreate ${S1} 4000 h1`, "ok"],
      [`track ${S3} 4000`, "true"],
      [`closing ${S3}`, "ok"],
      [`prepCreate ${S3} 4000 h1`, "SessionExpired"],
    ],
  },
  {
    name: "leader_local_sessions_are_not_revalidated_and_upgrade_into_global",
    steps: [
      ["new leader 1 1", "ok"],
      ["create a 4000", "sid=1"],
      ["isLocal a", "true"],
      ["isGlobal a", "false"],
      ["isTracking a", "true"],
      ["revalidate a 4000 h2", "false"],
      ["touch a 4000", "true"],
      ["check a me", "ok"],
      ["check a h2", "SessionMoved"],
      ["checkGlobal a me", "SessionExpired"],
      // Unknown here: another server's local session passes, one of ours has expired.
      [`check ${S2} h2`, "ok"],
      ["check 0x0100000000000099 h2", "SessionExpired"],
      ["upgrade a", "4000"],
      ["isLocal a", "false"],
      ["isGlobal a", "true"],
      ["isUpgrading a", "true"],
      ["check a h2", "ok"], // a fresh global session: no owner yet
      ["revalidate a 4000 h3", "true"],
      ["commit a 4000", "true"],
      ["isUpgrading a", "false"],
      ["upgrade a", "-1"],
      // Local and global at once (a tracked local session): both owners are checked.
      ["create c 4000", "sid=1"],
      ["check c h1", "ok"],
      ["track c 4000", "true"],
      ["check c h1", "ok"],
      ["setOwner c h2", "ok"], // moves the local owner only
      ["check c h2", "SessionMoved"],
      ["create b 2000", "sid=1"],
      ["closing b", "ok"],
      ["touch b 2000", "false"],
      ["check b me", "SessionExpired"],
      ["upgrade b", "2000"], // 3.8 upgrades a closing local session too
      ["remove b", "ok"],
      ["isTracking b", "false"],
    ],
  },
  {
    name: "leader_with_myid_200_treats_its_own_unknown_local_ids_as_another_servers",
    // 3.8 compares the signed high byte (-56) with the myid (200): never equal.
    steps: [
      ["new leader 200 1", "ok"],
      ["create a 4000", "sid=-56"],
      ["check 0xc800000000000001 h1", "ok"],
      ["new leader 200 0", "ok"],
      ["check 0xc800000000000001 h1", "SessionExpired"],
    ],
  },
];

/** Scenarios for a follower's or observer's tracker. */
export const LEARNER_SCENARIOS: Scenario[] = [
  {
    name: "learner_touch_table_is_swapped_out_by_each_ping",
    steps: [
      [`new learner 2 0 ${S1}:4000`, "ok"],
      ["create a 4000", "sid=2"],
      ["isGlobal a", "false"],
      ["isTracking a", "false"],
      ["touch a 4000", "true"], // the leader judges it: every touch is recorded
      [`touch ${S3} 6000`, "true"],
      [`touch ${S1} 4000`, "true"],
      [`touch ${S1} 5000`, "true"],
      ["snapshot", `216172782113783809:6000,${S1_DEC}:5000,a:4000`],
      ["snapshot", ""],
      ["commit a 6000", "true"],
      ["commit a 6000", "false"],
      ["snapshot", "a:6000"], // a committed session is in the next PING
      ["touch a 6000", "true"],
      ["remove a", "ok"],
      ["snapshot", ""], // closed: never reported again
      ["isGlobal a", "false"],
      [`check ${S3} h1`, "ok"], // without local sessions only the leader checks
      [`setOwner ${S3} h1`, "ok"],
      ["create b 4000", "sid=2"],
    ],
  },
  {
    name: "learner_local_sessions_stay_out_of_the_touch_table_until_upgraded",
    steps: [
      [`new learner 2 1 ${S1}:4000`, "ok"],
      ["create a 4000", "sid=2"],
      ["isLocal a", "true"],
      ["isGlobal a", "false"],
      ["touch a 4000", "true"],
      ["snapshot", ""],
      [`touch ${S1} 4000`, "true"],
      [`touch ${S3} 4000`, "false"], // neither local, global nor upgrading
      ["snapshot", `${S1_DEC}:4000`],
      ["check a h1", "ok"],
      ["check a h2", "SessionMoved"],
      ["setOwner a h2", "ok"],
      ["check a h2", "ok"],
      [`check ${S1} h2`, "ok"], // global: the leader checks it
      [`check ${S3} h1`, "SessionExpired"],
      [`setOwner ${S3} h1`, "SessionExpired"],
      [`setOwner ${S1} h1`, "ok"],
      ["upgrade a", "4000"],
      ["isLocal a", "false"],
      ["isGlobal a", "false"], // a learner learns of it from the commit
      ["isUpgrading a", "true"],
      ["touch a 4000", "true"],
      ["snapshot", "a:4000"],
      ["check a h1", "SessionExpired"],
      ["commit a 4000", "true"],
      ["isUpgrading a", "false"],
      ["isGlobal a", "true"],
      ["snapshot", "a:4000"],
      ["check a h1", "ok"],
      ["create b 3000", "sid=2"],
      ["closing b", "ok"],
      ["touch b 3000", "false"],
      ["check b h1", "SessionExpired"],
      ["setOwner b h1", "SessionExpired"],
      ["commit b 3000", "true"], // committed while local: the local copy goes
      ["isLocal b", "false"],
      ["isGlobal b", "true"],
      [`remove ${S1}`, "ok"],
      [`touch ${S1} 4000`, "false"],
    ],
  },
  {
    name: "learner_new_tracker_knows_only_committed_sessions",
    steps: [
      [`new learner 3 1 ${S2}:4000 ${S1}:6000`, "ok"],
      [`isGlobal ${S2}`, "true"],
      [`touch ${S2} 4000`, "true"],
      [`touch ${S1} 6000`, "true"],
      ["snapshot", `${S2_DEC}:4000,${S1_DEC}:6000`],
      [`upgrade ${S2}`, "-1"],
    ],
  },
];
