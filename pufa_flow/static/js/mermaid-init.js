// Draws the workflow diagrams on the 流程图 page. A file, not an inline
// script: the Content-Security-Policy admits scripts from this site only.
mermaid.initialize({startOnLoad: true, securityLevel: "strict", theme: "neutral"});
