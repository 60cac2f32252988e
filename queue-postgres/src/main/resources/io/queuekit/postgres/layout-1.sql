-- queuekit PostgreSQL layout 1: the tables, indexes and functions every queue of one schema
-- shares. Installed by PgLayout in one transaction under an advisory lock; the drawing and the
-- reasons are in PostgresQueue's javadoc. Statements are separated by lines holding only "--;".
-- Times passed as *_ms are the queue's clock (epoch milliseconds); liveness (consumer beats,
-- waiter expiry) uses the server's clock_timestamp(), so no decision compares two hosts' clocks.
-- Functions are created with CREATE OR REPLACE: PgLayout runs those statements alone again, the
-- tables untouched, when the schema records an older revision of them than the code's (column
-- functions, set by PgLayout; PgLayout adds it to a schema installed before it existed).
CREATE TABLE queuekit_layout (version int NOT NULL, functions int)
--;
INSERT INTO queuekit_layout (version) VALUES (1)
--;
-- one sequence orders ready items: the tail takes +nextval, the head -nextval
CREATE SEQUENCE queuekit_pos
--;
CREATE SEQUENCE queuekit_delivery
--;
CREATE SEQUENCE queuekit_delay
--;
CREATE TABLE queuekit_queue (
  queue text PRIMARY KEY,
  uniq boolean NOT NULL,
  dead_dropped bigint NOT NULL DEFAULT 0
)
--;
-- LENGTH is split into 8 slots so concurrent pushes lock different rows (a push takes a slot
-- with room, skipping locked ones); the sum of the caps is LENGTH, the sum of waiting is len().
-- Slots are counters, not owners of items. Invariant: a slot is over its cap only while no slot
-- has room, so pushes find room exactly when fewer than LENGTH items wait: moves that are always
-- admitted fill slots with room first (queuekit_room_give), removals empty the excess first
-- (queuekit_room_take); both lock the queue's slots in slot order.
CREATE TABLE queuekit_room (
  queue text NOT NULL,
  slot smallint NOT NULL CHECK (slot BETWEEN 0 AND 7),
  waiting bigint NOT NULL DEFAULT 0,
  cap bigint NOT NULL,
  PRIMARY KEY (queue, slot)
)
--;
CREATE TABLE queuekit_item (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  queue text NOT NULL,
  state "char" NOT NULL CHECK (state IN ('R', 'D', 'F')),
  pos bigint,
  due_at bigint,
  delay_seq bigint,
  payload bytea NOT NULL,
  digest bytea CHECK (digest IS NULL OR length(digest) = 32),
  deliveries int NOT NULL DEFAULT 0 CHECK (deliveries >= 0),
  recoveries int NOT NULL DEFAULT 0 CHECK (recoveries >= 0),
  first_pushed bigint NOT NULL,
  delivery_id bigint,
  consumer text,
  CHECK ((state = 'R') = (pos IS NOT NULL)),
  CHECK ((state = 'D') = (due_at IS NOT NULL AND delay_seq IS NOT NULL)),
  CHECK ((state = 'F') = (delivery_id IS NOT NULL AND consumer IS NOT NULL))
)
--;
CREATE INDEX queuekit_item_ready ON queuekit_item (queue, pos) WHERE state = 'R'
--;
CREATE INDEX queuekit_item_delayed ON queuekit_item (queue, due_at, delay_seq) WHERE state = 'D'
--;
CREATE UNIQUE INDEX queuekit_item_flight ON queuekit_item (delivery_id) WHERE state = 'F'
--;
CREATE INDEX queuekit_item_consumer ON queuekit_item (consumer, queue) WHERE state = 'F'
--;
CREATE INDEX queuekit_item_first ON queuekit_item (queue, first_pushed) WHERE state IN ('R', 'D')
--;
CREATE UNIQUE INDEX queuekit_item_unique ON queuekit_item (queue, digest)
  WHERE state IN ('R', 'D') AND digest IS NOT NULL
--;
CREATE TABLE queuekit_dead (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  queue text NOT NULL,
  payload bytea NOT NULL,
  digest bytea,
  reason text NOT NULL,
  deliveries int NOT NULL,
  recoveries int NOT NULL,
  first_pushed bigint NOT NULL,
  dead_at bigint NOT NULL
)
--;
CREATE INDEX queuekit_dead_queue ON queuekit_dead (queue, id)
--;
CREATE TABLE queuekit_consumer (
  id text PRIMARY KEY,
  beat_at timestamptz NOT NULL DEFAULT clock_timestamp()
)
--;
-- kind 'w': a claim loop waiting for items; 'r': a producer waiting for room; consumer is the
-- channel its process listens on (queuekit_<consumer>)
CREATE TABLE queuekit_waiter (
  queue text NOT NULL,
  consumer text NOT NULL,
  kind "char" NOT NULL CHECK (kind IN ('w', 'r')),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (queue, kind, consumer)
)
--;
-- Wakes up to n claim loops waiting on q (each a process), freshest registration first: each
-- is told once (its row is deleted) and registers again when it finds nothing.
-- Skipping a locked registration is safe because only another wake (which deletes it and
-- notifies) can hold one here: a claim registers under the claim lock every caller of this
-- function holds shared, and nothing else writes 'w' rows (the beat once refreshed them, and a
-- push that met its lock skipped the only waiter and woke nobody, while the beat kept the
-- registration standing). A registration lasts the ttl its claim gave it; the claim loop looks
-- again before it lapses.
CREATE OR REPLACE FUNCTION queuekit_wake(q text, n int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  w record;
BEGIN
  FOR w IN DELETE FROM queuekit_waiter WHERE (queue, kind, consumer) IN (
      SELECT queue, kind, consumer FROM queuekit_waiter
      WHERE queue = q AND kind = 'w' AND expires_at > clock_timestamp()
      ORDER BY expires_at DESC LIMIT n FOR UPDATE SKIP LOCKED) RETURNING consumer LOOP
    PERFORM pg_notify('queuekit_' || w.consumer, 'w' || q);
  END LOOP;
END $$
--;
-- Tells every producer waiting for room on q (one row per process) to try again.
CREATE OR REPLACE FUNCTION queuekit_wake_room(q text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  w record;
BEGIN
  FOR w IN DELETE FROM queuekit_waiter WHERE queue = q AND kind = 'r' RETURNING consumer LOOP
    PERFORM pg_notify('queuekit_' || w.consumer, 'r' || q);
  END LOOP;
END $$
--;
-- Counts k more waiting items of q: into slots with room first, the rest over slot 7's cap.
CREATE OR REPLACE FUNCTION queuekit_room_give(q text, k bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  r record;
  n bigint;
  left_k bigint := k;
BEGIN
  FOR r IN SELECT slot, waiting, cap FROM queuekit_room WHERE queue = q ORDER BY slot
      FOR UPDATE LOOP
    n := least(left_k, greatest(r.cap - r.waiting, 0));
    IF r.slot = 7 THEN
      n := left_k;
    END IF;
    IF n > 0 THEN
      UPDATE queuekit_room SET waiting = waiting + n WHERE queue = q AND slot = r.slot;
      left_k := left_k - n;
    END IF;
  END LOOP;
END $$
--;
-- Counts k fewer waiting items of q: from the excess over caps first, then from any slot.
CREATE OR REPLACE FUNCTION queuekit_room_take(q text, k bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  r record;
  n bigint;
  left_k bigint := k;
BEGIN
  PERFORM 1 FROM queuekit_room WHERE queue = q ORDER BY slot FOR UPDATE;
  FOR r IN SELECT slot, waiting - cap AS excess FROM queuekit_room
      WHERE queue = q AND waiting > cap ORDER BY slot LOOP
    EXIT WHEN left_k = 0;
    n := least(left_k, r.excess);
    UPDATE queuekit_room SET waiting = waiting - n WHERE queue = q AND slot = r.slot;
    left_k := left_k - n;
  END LOOP;
  FOR r IN SELECT slot, waiting FROM queuekit_room WHERE queue = q AND waiting > 0
      ORDER BY slot LOOP
    EXIT WHEN left_k = 0;
    n := least(left_k, r.waiting);
    UPDATE queuekit_room SET waiting = waiting - n WHERE queue = q AND slot = r.slot;
    left_k := left_k - n;
  END LOOP;
END $$
--;
-- Push: 0 added, 1 duplicate, 2 full (a producer that waits then calls queuekit_wait_room),
-- 5 busy: every slot with room is locked by another transaction; push again with blocking set,
-- which waits for the slots in slot order.
-- The shared advisory lock pairs with the exclusive one a claim loop takes before it registers
-- as a waiter: either the claim sees this item or this push sees its registration.
-- Lock order, kept by every function so none waits on another in a cycle: the queue's claim
-- lock (1903520049), item rows, room rows (in slot order), the room lock (1903520050), waiter
-- rows. A blocking FOR UPDATE keeps its lock on a row that fails the recheck, so a push may end
-- holding a room row it did not use, out of slot order after a SKIP LOCKED pick: that is why
-- a push that skipped never waits for a room row but starts again in a new transaction.
-- queuekit_push admits one item and wakes one waiter for it; queuekit_admit, which it calls, does
-- everything but the wake, so that queuekit_push_all wakes once for its batch.
CREATE OR REPLACE FUNCTION queuekit_admit(q text, p bytea, d bytea, delay_ms bigint,
    now_ms bigint, hint int, blocking boolean) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  s smallint;
  new_id bigint;
BEGIN
  PERFORM pg_advisory_xact_lock_shared(1903520049, hashtext(q));
  IF d IS NOT NULL AND EXISTS (SELECT 1 FROM queuekit_item
      WHERE queue = q AND digest = d AND state IN ('R', 'D')) THEN
    RETURN 1;
  END IF;
  IF blocking THEN
    SELECT slot INTO s FROM queuekit_room WHERE queue = q AND waiting < cap
      ORDER BY slot LIMIT 1 FOR UPDATE;
  ELSE
    SELECT slot INTO s FROM queuekit_room WHERE queue = q AND waiting < cap
      ORDER BY (slot + 8 - hint) % 8 LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF NOT FOUND AND EXISTS (SELECT 1 FROM queuekit_room WHERE queue = q AND waiting < cap) THEN
      RETURN 5;
    END IF;
  END IF;
  IF NOT FOUND THEN
    RETURN 2;
  END IF;
  IF delay_ms > 0 THEN
    INSERT INTO queuekit_item (queue, state, due_at, delay_seq, payload, digest, first_pushed)
      VALUES (q, 'D', now_ms + delay_ms, nextval('queuekit_delay'), p, d, now_ms)
      ON CONFLICT (queue, digest) WHERE state IN ('R', 'D') AND digest IS NOT NULL DO NOTHING
      RETURNING id INTO new_id;
  ELSE
    INSERT INTO queuekit_item (queue, state, pos, payload, digest, first_pushed)
      VALUES (q, 'R', nextval('queuekit_pos'), p, d, now_ms)
      ON CONFLICT (queue, digest) WHERE state IN ('R', 'D') AND digest IS NOT NULL DO NOTHING
      RETURNING id INTO new_id;
  END IF;
  IF new_id IS NULL THEN
    RETURN 1;
  END IF;
  UPDATE queuekit_room SET waiting = waiting + 1 WHERE queue = q AND slot = s;
  RETURN 0;
END $$
--;
CREATE OR REPLACE FUNCTION queuekit_push(q text, p bytea, d bytea, delay_ms bigint, now_ms bigint,
    hint int, blocking boolean) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  r int;
BEGIN
  r := queuekit_admit(q, p, d, delay_ms, now_ms, hint, blocking);
  IF r = 0 THEN
    PERFORM queuekit_wake(q, 1);
  END IF;
  RETURN r;
END $$
--;
-- After a push found the queue full: 3 when the producer's process (channel ch) is registered as
-- a room waiter, 4 when room appeared meanwhile (push again). Its own transaction, taking the
-- room lock first: it pairs with the shared room lock of claim and removeAll, so room freed
-- before this point is seen by the check below and room freed after it finds the registration.
CREATE OR REPLACE FUNCTION queuekit_wait_room(q text, ch text) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(1903520050, hashtext(q));
  IF EXISTS (SELECT 1 FROM queuekit_room WHERE queue = q AND waiting < cap) THEN
    RETURN 4;
  END IF;
  INSERT INTO queuekit_waiter (queue, consumer, kind, expires_at)
    VALUES (q, ch, 'r', clock_timestamp() + interval '1 hour')
    ON CONFLICT (queue, kind, consumer) DO NOTHING;
  RETURN 3;
END $$
--;
-- Pushes p[i] (identity digest d[i]) in order, in one transaction, until the queue is full:
-- returns one result (0 added, 1 duplicate) per item admitted; fewer than p's length when full
-- or busy (the caller pushes the next item alone).
-- One wake for the batch, after its last item (up to one waiter per item admitted): one look at
-- the waiters instead of one per item, and no waiter row locked before a later item's room row
-- (the lock order above). Notifications are sent at commit, one per process and queue however
-- many items it made ready.
CREATE OR REPLACE FUNCTION queuekit_push_all(q text, p bytea[], d bytea[], now_ms bigint, hint int)
    RETURNS int[] LANGUAGE plpgsql AS $$
DECLARE
  outs int[] := '{}';
  r int;
  added int := 0;
BEGIN
  FOR i IN 1..coalesce(array_length(p, 1), 0) LOOP
    r := queuekit_admit(q, p[i], d[i], 0, now_ms, (hint + i) % 8, false);
    EXIT WHEN r >= 2;
    outs := outs || r;
    IF r = 0 THEN
      added := added + 1;
    END IF;
  END LOOP;
  IF added > 0 THEN
    PERFORM queuekit_wake(q, added);
  END IF;
  RETURN outs;
END $$
--;
-- Moves every delayed item due at now_ms to the tail, by due time then release order.
CREATE OR REPLACE FUNCTION queuekit_promote(q text, now_ms bigint)
    RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  r record;
  n int := 0;
BEGIN
  FOR r IN SELECT id FROM queuekit_item WHERE queue = q AND state = 'D' AND due_at <= now_ms
      ORDER BY due_at, delay_seq FOR UPDATE SKIP LOCKED LOOP
    UPDATE queuekit_item SET state = 'R', pos = nextval('queuekit_pos'), due_at = NULL,
        delay_seq = NULL WHERE id = r.id;
    n := n + 1;
  END LOOP;
  RETURN n;
END $$
--;
-- Claim: promotes due items, then moves up to mx ready items from the head into flight under
-- consumer c (ch: the channel its process listens on), at most one recovered item (alone at the
-- head, else the batch stops before it). Returns the deliveries; when none, one row with a null
-- delivery and the earliest due time of the delayed items.
-- With wait set (a claim loop about to sleep, after a claim without it found nothing), it first
-- takes the queue's claim lock exclusively: that waits for pushes in progress to commit, so this
-- look sees them or they see the registration it makes when it finds nothing. The lock comes
-- first, before any row lock, so no one holding the shared form ever waits on this transaction.
CREATE OR REPLACE FUNCTION queuekit_claim(q text, mx int, now_ms bigint, c text, ch text,
    wait boolean, ttl_ms bigint, beat_ms bigint)
    RETURNS TABLE (o_delivery bigint, o_payload bytea, o_deliveries int, o_recoveries int,
        o_first bigint, o_next_due bigint) LANGUAGE plpgsql AS $$
DECLARE
  r record;
  n int := 0;
BEGIN
  IF wait THEN
    PERFORM pg_advisory_xact_lock(1903520049, hashtext(q));
  END IF;
  -- a consumer holding items beats; a claim refreshes a beat older than a third of the timeout
  INSERT INTO queuekit_consumer AS k (id) VALUES (c) ON CONFLICT (id) DO UPDATE
    SET beat_at = clock_timestamp()
    WHERE k.beat_at < clock_timestamp() - beat_ms * interval '1 millisecond';
  PERFORM queuekit_promote(q, now_ms);
  FOR r IN SELECT id, recoveries FROM queuekit_item WHERE queue = q AND state = 'R'
      ORDER BY pos LIMIT mx FOR UPDATE SKIP LOCKED LOOP
    EXIT WHEN r.recoveries > 0 AND n > 0;
    UPDATE queuekit_item SET state = 'F', pos = NULL, delivery_id = nextval('queuekit_delivery'),
        consumer = c WHERE id = r.id
      RETURNING delivery_id, payload, deliveries, recoveries, first_pushed
      INTO o_delivery, o_payload, o_deliveries, o_recoveries, o_first;
    o_next_due := NULL;
    RETURN NEXT;
    n := n + 1;
    EXIT WHEN r.recoveries > 0;
  END LOOP;
  IF n > 0 THEN
    PERFORM pg_advisory_xact_lock_shared(1903520050, hashtext(q));
    PERFORM queuekit_room_take(q, n);
    IF EXISTS (SELECT 1 FROM queuekit_waiter WHERE queue = q AND kind = 'r') THEN
      PERFORM queuekit_wake_room(q);
    END IF;
    RETURN;
  END IF;
  IF wait THEN
    INSERT INTO queuekit_waiter (queue, consumer, kind, expires_at)
      VALUES (q, ch, 'w', clock_timestamp() + ttl_ms * interval '1 millisecond')
      ON CONFLICT (queue, kind, consumer) DO UPDATE SET expires_at = EXCLUDED.expires_at;
  END IF;
  o_delivery := NULL;
  o_payload := NULL;
  o_deliveries := 0;
  o_recoveries := 0;
  o_first := 0;
  SELECT min(due_at) INTO o_next_due FROM queuekit_item WHERE queue = q AND state = 'D';
  RETURN NEXT;
END $$
--;
-- Merges the copy in item row src into the waiting copy of its identity, if one waits: the
-- waiting copy keeps its place and takes the larger counts; src is deleted. False if none waits.
CREATE OR REPLACE FUNCTION queuekit_merge(q text, src bigint, d bytea, m_deliveries int,
    m_recoveries int) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  w bigint;
BEGIN
  IF d IS NULL THEN
    RETURN false;
  END IF;
  SELECT id INTO w FROM queuekit_item WHERE queue = q AND digest = d AND state IN ('R', 'D')
    FOR UPDATE;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  UPDATE queuekit_item i SET deliveries = greatest(i.deliveries, m_deliveries),
      recoveries = greatest(i.recoveries, m_recoveries) WHERE i.id = w;
  DELETE FROM queuekit_item WHERE id = src;
  RETURN true;
END $$
--;
-- Release: 0 done, 1 merged, 2 stale. Delivery count + 1, then delayed or at the tail.
CREATE OR REPLACE FUNCTION queuekit_release(q text, did bigint, delay_ms bigint, now_ms bigint)
    RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  PERFORM pg_advisory_xact_lock_shared(1903520049, hashtext(q));
  SELECT id, digest, deliveries, recoveries INTO r FROM queuekit_item
    WHERE delivery_id = did AND state = 'F' AND queue = q FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 2;
  END IF;
  IF queuekit_merge(q, r.id, r.digest, r.deliveries + 1, r.recoveries) THEN
    RETURN 1;
  END IF;
  IF delay_ms > 0 THEN
    UPDATE queuekit_item SET state = 'D', due_at = now_ms + delay_ms,
        delay_seq = nextval('queuekit_delay'), deliveries = deliveries + 1, delivery_id = NULL,
        consumer = NULL WHERE id = r.id;
  ELSE
    UPDATE queuekit_item SET state = 'R', pos = nextval('queuekit_pos'),
        deliveries = deliveries + 1, delivery_id = NULL, consumer = NULL WHERE id = r.id;
  END IF;
  PERFORM queuekit_room_give(q, 1);
  PERFORM queuekit_wake(q, 1);
  RETURN 0;
END $$
--;
-- Puts the in-flight rows ids (in claim order) back at the head in that order, merging on a
-- unique queue. When recovered, each takes recovery count + 1 and one reaching max_rec (> 0) is
-- dead-lettered as a suspected poison item. Returns per row 0 back, 1 merged, 2 stale, or the
-- negated dead-letter id of a quarantined one.
CREATE OR REPLACE FUNCTION queuekit_to_head(q text, ids bigint[], recovered boolean, max_rec int,
    now_ms bigint, cap int) RETURNS bigint[] LANGUAGE plpgsql AS $$
DECLARE
  r record;
  outs bigint[] := '{}';
  kept bigint[] := '{}';
  rec int;
  dead_id bigint;
BEGIN
  PERFORM pg_advisory_xact_lock_shared(1903520049, hashtext(q));
  FOR i IN 1..coalesce(array_length(ids, 1), 0) LOOP
    SELECT id, digest, deliveries, recoveries, payload, first_pushed INTO r
      FROM queuekit_item WHERE id = ids[i] AND state = 'F' AND queue = q FOR UPDATE;
    IF NOT FOUND THEN
      outs := outs || 2::bigint;
      CONTINUE;
    END IF;
    rec := r.recoveries + CASE WHEN recovered THEN 1 ELSE 0 END;
    IF recovered AND max_rec > 0 AND rec >= max_rec THEN
      DELETE FROM queuekit_item WHERE id = r.id;
      INSERT INTO queuekit_dead (queue, payload, digest, reason, deliveries, recoveries,
          first_pushed, dead_at)
        VALUES (q, r.payload, r.digest, 'suspected poison item: in flight during ' || rec
          || ' crashes (MAX_RECOVERIES=' || max_rec || ')', r.deliveries, rec, r.first_pushed,
          now_ms) RETURNING id INTO dead_id;
      PERFORM queuekit_cap_dead(q, cap);
      outs := outs || (-dead_id);
      CONTINUE;
    END IF;
    -- earlier rows of this call are already waiting, so a later copy merges into them
    IF queuekit_merge(q, r.id, r.digest, r.deliveries, rec) THEN
      outs := outs || 1::bigint;
      CONTINUE;
    END IF;
    -- a placeholder position; the real ones are given below, last row first
    UPDATE queuekit_item SET state = 'R', pos = 0, recoveries = rec, delivery_id = NULL,
        consumer = NULL WHERE id = r.id;
    kept := kept || r.id;
    outs := outs || 0::bigint;
  END LOOP;
  FOR i IN REVERSE coalesce(array_length(kept, 1), 0)..1 LOOP
    UPDATE queuekit_item SET pos = -nextval('queuekit_pos') WHERE id = kept[i];
  END LOOP;
  IF array_length(kept, 1) > 0 THEN
    PERFORM queuekit_room_give(q, array_length(kept, 1));
    PERFORM queuekit_wake(q, array_length(kept, 1));
  END IF;
  RETURN outs;
END $$
--;
-- Unclaim: the deliveries dids back to the head in their order, counts unchanged.
CREATE OR REPLACE FUNCTION queuekit_unclaim(q text, dids bigint[])
    RETURNS bigint[] LANGUAGE plpgsql AS $$
DECLARE
  ids bigint[];
BEGIN
  SELECT array_agg(coalesce(i.id, -1) ORDER BY x.n) INTO ids
    FROM unnest(dids) WITH ORDINALITY AS x(did, n)
    LEFT JOIN queuekit_item i ON i.delivery_id = x.did AND i.state = 'F' AND i.queue = q;
  RETURN queuekit_to_head(q, coalesce(ids, '{}'), false, 0, 0, 0);
END $$
--;
-- After a claim whose reply was lost: the items of q in flight under consumer c whose delivery
-- is not in keep (what c holds) go back to the head in claim order, counts unchanged.
CREATE OR REPLACE FUNCTION queuekit_give_back(q text, c text, keep bigint[])
    RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  ids bigint[];
BEGIN
  SELECT array_agg(id ORDER BY delivery_id) INTO ids FROM queuekit_item
    WHERE consumer = c AND state = 'F' AND queue = q AND NOT (delivery_id = ANY(keep));
  IF ids IS NULL THEN
    RETURN 0;
  END IF;
  PERFORM queuekit_to_head(q, ids, false, 0, 0, 0);
  RETURN array_length(ids, 1);
END $$
--;
-- Recovery: every item of q in flight under a consumer whose beat is older than timeout_ms (or
-- gone) back to the head in claim order, recovery count + 1; consumers left with nothing in
-- flight anywhere are then forgotten. Returns the ids of the dead letters it made.
CREATE OR REPLACE FUNCTION queuekit_recover(q text, timeout_ms bigint, max_rec int,
    now_ms bigint, cap int) RETURNS SETOF bigint LANGUAGE plpgsql AS $$
DECLARE
  ids bigint[];
  outs bigint[];
BEGIN
  SELECT array_agg(id ORDER BY delivery_id) INTO ids FROM (
    SELECT i.id, i.delivery_id FROM queuekit_item i
      LEFT JOIN queuekit_consumer k ON k.id = i.consumer
      WHERE i.queue = q AND i.state = 'F'
        AND (k.id IS NULL OR k.beat_at < clock_timestamp() - timeout_ms * interval '1 millisecond')
      FOR UPDATE OF i SKIP LOCKED) t;
  IF ids IS NULL THEN
    RETURN;
  END IF;
  outs := queuekit_to_head(q, ids, true, max_rec, now_ms, cap);
  DELETE FROM queuekit_consumer k
    WHERE k.beat_at < clock_timestamp() - timeout_ms * interval '1 millisecond'
      AND NOT EXISTS (SELECT 1 FROM queuekit_item i WHERE i.consumer = k.id AND i.state = 'F');
  RETURN QUERY SELECT -o FROM unnest(outs) o WHERE o < 0;
END $$
--;
-- Keeps the newest cap dead letters of q; counts what it drops.
CREATE OR REPLACE FUNCTION queuekit_cap_dead(q text, cap int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  WITH gone AS (DELETE FROM queuekit_dead WHERE id IN (
      SELECT id FROM queuekit_dead WHERE queue = q ORDER BY id DESC OFFSET cap) RETURNING 1)
  SELECT count(*) INTO n FROM gone;
  IF n > 0 THEN
    UPDATE queuekit_queue SET dead_dropped = dead_dropped + n WHERE queue = q;
  END IF;
END $$
--;
-- Dead-letters the in-flight delivery did; returns the dead letter's id, null when stale.
CREATE OR REPLACE FUNCTION queuekit_bury(q text, did bigint, why text, now_ms bigint, cap int)
    RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  r record;
  dead_id bigint;
BEGIN
  DELETE FROM queuekit_item WHERE delivery_id = did AND state = 'F' AND queue = q
    RETURNING payload, digest, deliveries, recoveries, first_pushed INTO r;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  INSERT INTO queuekit_dead (queue, payload, digest, reason, deliveries, recoveries,
      first_pushed, dead_at)
    VALUES (q, r.payload, r.digest, why, r.deliveries, r.recoveries, r.first_pushed, now_ms)
    RETURNING id INTO dead_id;
  PERFORM queuekit_cap_dead(q, cap);
  RETURN dead_id;
END $$
--;
-- Replays the named dead letters (all when ids is null), oldest first, to the tail with counts
-- reset; a copy whose identity already waits is merged. Returns how many were moved.
CREATE OR REPLACE FUNCTION queuekit_replay(q text, ids bigint[])
    RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  r record;
  moved bigint := 0;
  added int := 0;
BEGIN
  PERFORM pg_advisory_xact_lock_shared(1903520049, hashtext(q));
  FOR r IN SELECT id, payload, digest, first_pushed FROM queuekit_dead
      WHERE queue = q AND (ids IS NULL OR id = ANY(ids)) ORDER BY id FOR UPDATE LOOP
    DELETE FROM queuekit_dead WHERE id = r.id;
    moved := moved + 1;
    IF r.digest IS NOT NULL AND EXISTS (SELECT 1 FROM queuekit_item
        WHERE queue = q AND digest = r.digest AND state IN ('R', 'D')) THEN
      CONTINUE;
    END IF;
    INSERT INTO queuekit_item (queue, state, pos, payload, digest, first_pushed)
      VALUES (q, 'R', nextval('queuekit_pos'), r.payload, r.digest, r.first_pushed);
    added := added + 1;
  END LOOP;
  IF added > 0 THEN
    PERFORM queuekit_room_give(q, added);
    PERFORM queuekit_wake(q, added);
  END IF;
  RETURN moved;
END $$
--;
-- Deletes every waiting item of q; in-flight items stay. Returns how many were deleted.
CREATE OR REPLACE FUNCTION queuekit_remove_all(q text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  WITH gone AS (DELETE FROM queuekit_item WHERE queue = q AND state IN ('R', 'D') RETURNING 1)
  SELECT count(*) INTO n FROM gone;
  IF n = 0 THEN
    RETURN 0;
  END IF;
  PERFORM pg_advisory_xact_lock_shared(1903520050, hashtext(q));
  PERFORM queuekit_room_take(q, n);
  PERFORM queuekit_wake_room(q);
  RETURN n;
END $$
--;
-- The process beat: refreshes the consumers cs (one per open queue) and names the queues among
-- qs holding items in flight under a consumer silent for longer than timeout_ms. It leaves the
-- waiter registrations alone (see queuekit_wake).
CREATE OR REPLACE FUNCTION queuekit_tick(cs text[], qs text[], timeout_ms bigint)
    RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
  -- only beats: a consumer's row is made by its first claim, so a beat racing a crash (or a
  -- recovery that forgot the consumer) cannot bring it back
  UPDATE queuekit_consumer SET beat_at = clock_timestamp() WHERE id = ANY(cs);
  RETURN QUERY SELECT DISTINCT i.queue FROM queuekit_item i
    LEFT JOIN queuekit_consumer k ON k.id = i.consumer
    WHERE i.state = 'F' AND i.queue = ANY(qs)
      AND (k.id IS NULL OR k.beat_at < clock_timestamp() - timeout_ms * interval '1 millisecond');
END $$
