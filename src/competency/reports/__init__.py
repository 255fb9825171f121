"""Reports: profiles and team aggregates turned into print-ready HTML and PDF."""
