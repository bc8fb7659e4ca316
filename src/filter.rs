//! Filtering captures: the query language of the `/` prompt (written next).
