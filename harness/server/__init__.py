"""The gate's HTTP side: JSON API for agents and tools, server-rendered review pages for people."""
