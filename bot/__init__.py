"""xmess-bot: member news and network events to Catalan posts on X, approved by people."""
