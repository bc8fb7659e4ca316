//! Scanning the store for captures that match a filter (written next).
