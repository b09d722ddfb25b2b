"""Website discovery: candidate domains for an organisation, and their verification."""
