-- What each sender has pending, and the oldest pending payment alike a
-- re-stamped one of a tutorial node, are kept in the writer's memory
-- (store/pendingindex.go), rebuilt from this table at start. The index cost
-- every accepted transaction a random page in the write-ahead log, and so
-- every group commit a longer write and sync.
DROP INDEX mempool_sender;
