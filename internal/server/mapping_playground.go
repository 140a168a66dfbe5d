package server

import (
	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/playground"
)

// conversationsOut is the playground's demo conversations as the API's list.
func conversationsOut(cs []playground.Conversation) api.ConversationList {
	out := api.ConversationList{Conversations: make([]api.Conversation, 0, len(cs))}
	for _, c := range cs {
		out.Conversations = append(out.Conversations, api.Conversation{Id: c.ID, VisitorName: c.VisitorName, Channel: c.Channel,
			Preview: c.Preview, SidebarUrl: c.SidebarURL})
	}
	return out
}
