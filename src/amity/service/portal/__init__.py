"""The customers' self-service portal: contacts sign in by emailed link and see their orders, invoices and cases."""
