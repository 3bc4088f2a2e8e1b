"""Developer tools run by the Makefile: waiting for a server's port, summarising an NLU report."""
